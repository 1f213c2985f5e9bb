package dev.loupe.engine.djl;

import static dev.loupe.api.HookSite.ATTN_K;
import static dev.loupe.api.HookSite.ATTN_OUT;
import static dev.loupe.api.HookSite.ATTN_PATTERN;
import static dev.loupe.api.HookSite.ATTN_Q;
import static dev.loupe.api.HookSite.ATTN_ROT_K;
import static dev.loupe.api.HookSite.ATTN_ROT_Q;
import static dev.loupe.api.HookSite.ATTN_SCORES;
import static dev.loupe.api.HookSite.ATTN_V;
import static dev.loupe.api.HookSite.ATTN_Z;
import static dev.loupe.api.HookSite.MLP_OUT;
import static dev.loupe.api.HookSite.MLP_POST;
import static dev.loupe.api.HookSite.MLP_PRE;
import static dev.loupe.api.HookSite.MLP_PRE_LINEAR;
import static dev.loupe.api.HookSite.RESID_MID;
import static dev.loupe.api.HookSite.RESID_POST;
import static dev.loupe.api.HookSite.RESID_PRE;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.NormHooks;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest.LogitsMode;
import dev.loupe.api.spi.PaddedBatch;

/**
 * The transformer forward pass for every supported family, driven by the {@link ModelSpec}: LayerNorm or RMSNorm,
 * learned or rotary (rotate-half or interleaved, optionally partial, per-layer frequencies) positions, grouped-query
 * attention with optional q/k norms, sliding windows and soft-caps, plain or gated MLP, sequential or parallel
 * attention/MLP, norms before and/or after each sublayer ({@link ArchitectureFeatures}). Every TransformerLens hook
 * point passes through {@link RunHooks}.
 */
final class Forward {
    private final ModelSpec spec;
    private final ArchitectureFeatures f;
    private final TransformerWeights w;

    Forward(ModelSpec spec, TransformerWeights weights) {
        this.spec = spec;
        this.f = spec.features();
        this.w = weights;
    }

    /** What every layer needs from the batch: attention masks and rotary tables, built once per distinct setting. */
    private final class Layers {
        private final NDArray[] allowed;
        private final Rotary[] rotary;

        Layers(NDManager m, PaddedBatch batch) {
            int n = spec.nLayers();
            allowed = new NDArray[n];
            rotary = new Rotary[n];
            java.util.Map<Integer, NDArray> masks = new java.util.HashMap<>();
            java.util.Map<String, Rotary> tables = new java.util.HashMap<>();
            Shape maskShape = new Shape(batch.size(), 1, batch.length(), batch.length());
            for (int l = 0; l < n; l++) {
                allowed[l] = masks.computeIfAbsent(f.slidingWindow(l),
                        win -> m.create(batch.attentionAllowed(win), maskShape));
                if (spec.positional() == ModelSpec.PositionalKind.ROTARY) {
                    float[] inv = spec.inverseFrequencies(l);
                    rotary[l] = tables.computeIfAbsent(java.util.Arrays.toString(inv), k -> Rotary.of(m, inv,
                            spec.dHead(), f.interleavedRotary(), batch.positions(), batch.size(), batch.length()));
                }
            }
        }
    }

    /** Logits [batch, pos, vocab] (ALL), [batch, vocab] (LAST) or null (NONE). */
    NDArray run(NDManager m, PaddedBatch batch, RunHooks hooks, LogitsMode mode) {
        NDArray ids = m.create(batch.ids(), new Shape(batch.size(), batch.length()));
        NDArray embed = w.array("W_E").get(m, new NDIndex("{}", ids));
        if (f.embeddingScale() != 1) {
            embed = embed.mul((float) f.embeddingScale());
        }
        NDArray x = hooks.at(HookPoint.of(HookSite.EMBED), embed);
        NDArray positions = m.create(batch.positions(), new Shape(batch.size(), batch.length()));
        if (spec.positional() == ModelSpec.PositionalKind.LEARNED) {
            x = x.add(hooks.at(HookPoint.of(HookSite.POS_EMBED), w.array("W_pos").get(m, new NDIndex("{}", positions))));
        }
        Layers layers = new Layers(m, batch);
        for (int l = 0; l < spec.nLayers(); l++) {
            x = block(l, x, layers.allowed[l], layers.rotary[l], hooks);
        }
        x = norm(x, "ln_final", -1, hooks);
        if (mode == LogitsMode.NONE) {
            return null;
        }
        if (mode == LogitsMode.LAST) {
            long[] rows = new long[batch.size()];
            for (int b = 0; b < rows.length; b++) {
                rows[b] = (long) b * batch.length() + batch.lastIndex()[b];
            }
            x = x.reshape(-1, spec.dModel()).get(new NDIndex("{}", m.create(rows)));
        }
        return softcap(addBias(x.matMul(w.array("W_U")), w.array("b_U")), f.finalSoftcap());
    }

    private NDArray block(int l, NDArray resid, NDArray allowed, Rotary rotary, RunHooks hooks) {
        boolean pre = f.normPlacement().hasPre();
        boolean post = f.normPlacement().hasPost();
        resid = hooks.at(HookPoint.of(l, RESID_PRE), resid);
        NDArray attnIn = pre ? norm(resid, "ln1", l, hooks) : resid;
        NDArray attn = attention(l, attnIn, allowed, rotary, hooks);
        if (post) {
            attn = norm(attn, "ln1_post", l, hooks);
        }
        NDArray attnOut = hooks.at(HookPoint.of(l, ATTN_OUT), attn);
        NDArray base = spec.parallelAttnMlp() ? resid : hooks.at(HookPoint.of(l, RESID_MID), resid.add(attnOut));
        NDArray mlpIn = pre ? norm(base, "ln2", l, hooks) : base;
        NDArray mlp = mlp(l, mlpIn, hooks);
        if (post) {
            mlp = norm(mlp, "ln2_post", l, hooks);
        }
        NDArray mlpOut = hooks.at(HookPoint.of(l, MLP_OUT), mlp);
        NDArray sum = spec.parallelAttnMlp() ? resid.add(attnOut).add(mlpOut) : base.add(mlpOut);
        return hooks.at(HookPoint.of(l, RESID_POST), sum);
    }

    /** The norm at hooks {@code name}.hook_scale, .hook_normalized (before gain and bias) and .hook_out. */
    private NDArray norm(NDArray x, String name, int layer, RunHooks hooks) {
        NormHooks n = NormHooks.of(name, layer);
        String prefix = layer < 0 ? name : "blocks." + layer + "." + name;
        NDArray centred = spec.norm() == ModelSpec.NormKind.LAYER_NORM ? x.sub(x.mean(new int[] {-1}, true)) : x;
        NDArray scale = hooks.at(n.scale(), centred.square().mean(new int[] {-1}, true).add(spec.normEps()).sqrt());
        NDArray normalized = hooks.at(n.normalized(), centred.div(scale));
        return hooks.at(n.out(), addBias(normalized.mul(w.array(prefix + ".w")), w.array(prefix + ".b")));
    }

    /**
     * A q/k RMSNorm on [batch, pos, heads, d_head]: over d_head per head, or over the whole projection (its scale
     * then [batch, pos, 1, 1]), with the hooks of {@code name} ({@code attn.q_norm} or {@code attn.k_norm}).
     */
    private NDArray qkNorm(int l, NDArray x, String name, RunHooks hooks) {
        NormHooks n = NormHooks.of(name, l);
        Shape s = x.getShape();
        NDArray rows = f.qkNorm() == ArchitectureFeatures.QkNorm.PER_HEAD ? x : x.reshape(s.get(0), s.get(1), 1, -1);
        NDArray scale = hooks.at(n.scale(), rows.square().mean(new int[] {-1}, true).add(spec.normEps()).sqrt());
        NDArray normalized = hooks.at(n.normalized(), x.div(scale));
        return hooks.at(n.out(), normalized.mul(w.layer(l, name + ".w").reshape(-1, spec.dHead())));
    }

    private NDArray attention(int l, NDArray x, NDArray allowed, Rotary rotary, RunHooks hooks) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int h = spec.nHeads();
        int kv = spec.nKvHeads();
        int dh = spec.dHead();
        NDArray q = hooks.at(HookPoint.of(l, ATTN_Q), project(x, "attn.W_Q", "attn.b_Q", l).reshape(b, t, h, dh));
        NDArray k = hooks.at(HookPoint.of(l, ATTN_K), project(x, "attn.W_K", "attn.b_K", l).reshape(b, t, kv, dh));
        NDArray v = hooks.at(HookPoint.of(l, ATTN_V), project(x, "attn.W_V", "attn.b_V", l).reshape(b, t, kv, dh));
        if (f.qkNorm() != ArchitectureFeatures.QkNorm.NONE) {
            q = qkNorm(l, q, "attn.q_norm", hooks);
            k = qkNorm(l, k, "attn.k_norm", hooks);
        }
        if (rotary != null) {
            q = hooks.at(HookPoint.of(l, ATTN_ROT_Q), rotary.apply(q));
            k = hooks.at(HookPoint.of(l, ATTN_ROT_K), rotary.apply(k));
        }
        if (kv < h) {
            k = k.repeat(2, h / kv);
            v = v.repeat(2, h / kv);
        }
        NDArray scores = q.transpose(0, 2, 1, 3).matMul(k.transpose(0, 2, 3, 1)).mul((float) spec.attentionScale(l));
        scores = softcap(scores, f.attentionSoftcap());
        scores = hooks.at(HookPoint.of(l, ATTN_SCORES),
                Arrays2.where(allowed, scores, scores.getManager().full(new Shape(), Float.NEGATIVE_INFINITY)));
        NDArray pattern = hooks.at(HookPoint.of(l, ATTN_PATTERN), scores.softmax(-1));
        NDArray z = hooks.at(HookPoint.of(l, ATTN_Z), pattern.matMul(v.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3));
        return addBias(z.reshape(b, t, (long) h * dh).matMul(w.layer(l, "attn.W_O")), w.layer(l, "attn.b_O"));
    }

    private NDArray project(NDArray x, String weight, String bias, int l) {
        return addBias(x.matMul(w.layer(l, weight)), w.layer(l, bias));
    }

    private NDArray mlp(int l, NDArray x, RunHooks hooks) {
        NDArray post;
        if (spec.gatedMlp()) {
            NDArray gate = hooks.at(HookPoint.of(l, MLP_PRE), project(x, "mlp.W_gate", "mlp.b_gate", l));
            NDArray linear = hooks.at(HookPoint.of(l, MLP_PRE_LINEAR), project(x, "mlp.W_in", "mlp.b_in", l));
            post = Activations.apply(spec.activation(), gate).mul(linear);
        } else {
            NDArray pre = hooks.at(HookPoint.of(l, MLP_PRE), project(x, "mlp.W_in", "mlp.b_in", l));
            post = Activations.apply(spec.activation(), pre);
        }
        post = hooks.at(HookPoint.of(l, MLP_POST), post);
        return project(post, "mlp.W_out", "mlp.b_out", l);
    }

    private static NDArray softcap(NDArray x, double cap) {
        return cap > 0 ? x.div((float) cap).tanh().mul((float) cap) : x;
    }

    private static NDArray addBias(NDArray x, NDArray bias) {
        return bias == null ? x : x.add(bias);
    }
}
