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
import ai.djl.nn.norm.LayerNorm;
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

    /** Logits [batch, pos, vocab] (ALL), [batch, vocab] (LAST) or null (NONE). */
    NDArray run(NDManager m, PaddedBatch batch, RunHooks hooks, LogitsMode mode) {
        return run(m, Frame.of(m, spec, batch), hooks, mode, null);
    }

    /** As above over {@code frame}'s positions, extending {@code kv} (when not null) with their keys and values. */
    NDArray run(NDManager m, Frame frame, RunHooks hooks, LogitsMode mode, KvCache kv) {
        return logits(m, finalResidual(m, frame, hooks, kv), frame, mode);
    }

    /** Logits of {@code x} (after ln_final) as {@code mode} asks: every position, each sequence's last, or null. */
    NDArray logits(NDManager m, NDArray x, Frame frame, LogitsMode mode) {
        return switch (mode) {
            case NONE -> null;
            case ALL -> unembed(x);
            case LAST -> unembed(frame.length == 1 ? x.reshape(-1, spec.dModel()) : rows(m, x, frame.lastRows));
        };
    }

    /** Rows of [batch, pos, d_model] by flat index (sequence · pos + position): [rows, d_model]. */
    NDArray rows(NDManager m, NDArray x, long[] flat) {
        return x.reshape(-1, spec.dModel()).get(new NDIndex("{}", m.create(flat)));
    }

    /** Logits of residual rows [..., d_model] after ln_final: the unembedding, its bias and the final soft-cap. */
    NDArray unembed(NDArray x) {
        return softcap(addBias(x.matMul(w.array("W_U")), w.array("b_U")), f.finalSoftcap());
    }

    /** The residual stream after ln_final [batch, pos, d_model], every hook on the way fired. */
    NDArray finalResidual(NDManager m, Frame frame, RunHooks hooks, KvCache kv) {
        NDArray embed = w.array("W_E").get(m, new NDIndex("{}", frame.ids));
        if (f.embeddingScale() != 1) {
            embed = embed.mul((float) f.embeddingScale());
        }
        NDArray x = hooks.at(HookPoint.of(HookSite.EMBED), embed);
        if (spec.positional() == ModelSpec.PositionalKind.LEARNED) {
            x = x.add(hooks.at(HookPoint.of(HookSite.POS_EMBED), w.array("W_pos").get(m, new NDIndex("{}", frame.positions))));
        }
        for (int l = 0; l < spec.nLayers(); l++) {
            x = block(l, x, frame, hooks, kv);
        }
        return norm(x, "ln_final", -1, hooks);
    }

    private NDArray block(int l, NDArray resid, Frame frame, RunHooks hooks, KvCache kv) {
        boolean pre = f.normPlacement().hasPre();
        boolean post = f.normPlacement().hasPost();
        resid = hooks.at(HookPoint.of(l, RESID_PRE), resid);
        NDArray attnIn = pre ? norm(resid, "ln1", l, hooks) : resid;
        NDArray attn = attention(l, attnIn, frame, hooks, kv);
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

    /**
     * The norm at hooks {@code name}.hook_scale, .hook_normalized (before gain and bias) and .hook_out; a LayerNorm
     * with gain and bias whose scale and normalized hooks this run leaves alone is PyTorch's fused layer_norm.
     */
    private NDArray norm(NDArray x, String name, int layer, RunHooks hooks) {
        NormHooks n = NormHooks.of(name, layer);
        String prefix = layer < 0 ? name : "blocks." + layer + "." + name;
        NDArray gain = w.array(prefix + ".w");
        NDArray bias = w.array(prefix + ".b");
        if (spec.norm() == ModelSpec.NormKind.LAYER_NORM && bias != null && !hooks.touches(n.scale())
                && !hooks.touches(n.normalized())) {
            NDArray fused = LayerNorm.layerNorm(x, new Shape(spec.dModel()), gain, bias, (float) spec.normEps())
                    .singletonOrThrow();
            return hooks.at(n.out(), fused);
        }
        NDArray centred = spec.norm() == ModelSpec.NormKind.LAYER_NORM ? x.sub(x.mean(new int[] {-1}, true)) : x;
        NDArray scale = hooks.at(n.scale(), centred.square().mean(new int[] {-1}, true).add(spec.normEps()).sqrt());
        NDArray normalized = hooks.at(n.normalized(), centred.div(scale));
        return hooks.at(n.out(), addBias(normalized.mul(gain), bias));
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

    private NDArray attention(int l, NDArray x, Frame frame, RunHooks hooks, KvCache kv) {
        Rotary rotary = frame.rotary[l];
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int h = spec.nHeads();
        int kvHeads = spec.nKvHeads();
        int dh = spec.dHead();
        NDArray q = hooks.at(HookPoint.of(l, ATTN_Q), project(x, "attn.W_Q", "attn.b_Q", l).reshape(b, t, h, dh));
        NDArray k = hooks.at(HookPoint.of(l, ATTN_K), project(x, "attn.W_K", "attn.b_K", l).reshape(b, t, kvHeads, dh));
        NDArray v = hooks.at(HookPoint.of(l, ATTN_V), project(x, "attn.W_V", "attn.b_V", l).reshape(b, t, kvHeads, dh));
        if (f.qkNorm() != ArchitectureFeatures.QkNorm.NONE) {
            q = qkNorm(l, q, "attn.q_norm", hooks);
            k = qkNorm(l, k, "attn.k_norm", hooks);
        }
        if (rotary != null) {
            q = hooks.at(HookPoint.of(l, ATTN_ROT_Q), rotary.apply(q));
            k = hooks.at(HookPoint.of(l, ATTN_ROT_K), rotary.apply(k));
        }
        if (kv != null) {
            NDArray[] past = kv.extend(l, k, v);
            k = past[0];
            v = past[1];
        }
        if (kvHeads < h) {
            k = k.repeat(2, h / kvHeads);
            v = v.repeat(2, h / kvHeads);
        }
        NDArray scores = q.transpose(0, 2, 1, 3).matMul(k.transpose(0, 2, 3, 1)).mul((float) spec.attentionScale(l));
        scores = softcap(scores, f.attentionSoftcap());
        if (frame.allowed[l] != null) {
            scores = Arrays2.where(frame.allowed[l], scores, frame.masked);
        }
        scores = hooks.at(HookPoint.of(l, ATTN_SCORES), scores);
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
