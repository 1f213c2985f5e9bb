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
import static dev.loupe.api.HookSite.LN1_NORMALIZED;
import static dev.loupe.api.HookSite.LN1_SCALE;
import static dev.loupe.api.HookSite.LN2_NORMALIZED;
import static dev.loupe.api.HookSite.LN2_SCALE;
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
import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest.LogitsMode;
import dev.loupe.api.spi.PaddedBatch;

/**
 * The transformer forward pass for every supported family, driven by the {@link ModelSpec}: LayerNorm or RMSNorm,
 * learned or rotary (rotate-half, optionally partial) positions, grouped-query attention, plain or gated MLP,
 * sequential or parallel attention/MLP. Every TransformerLens hook point passes through {@link RunHooks}.
 */
final class Forward {
    private final ModelSpec spec;
    private final TransformerWeights w;

    Forward(ModelSpec spec, TransformerWeights weights) {
        this.spec = spec;
        this.w = weights;
    }

    /** Logits [batch, pos, vocab] (ALL), [batch, vocab] (LAST) or null (NONE). */
    NDArray run(NDManager m, PaddedBatch batch, RunHooks hooks, LogitsMode mode) {
        NDArray ids = m.create(batch.ids(), new Shape(batch.size(), batch.length()));
        NDArray x = hooks.at(HookPoint.of(HookSite.EMBED), w.array("W_E").get(m, new NDIndex("{}", ids)));
        NDArray positions = m.create(batch.positions(), new Shape(batch.size(), batch.length()));
        if (spec.positional() == ModelSpec.PositionalKind.LEARNED) {
            x = x.add(hooks.at(HookPoint.of(HookSite.POS_EMBED), w.array("W_pos").get(m, new NDIndex("{}", positions))));
        }
        NDArray allowed = m.create(batch.attentionAllowed(), new Shape(batch.size(), 1, batch.length(), batch.length()));
        Rotary rotary = spec.positional() == ModelSpec.PositionalKind.ROTARY
                ? Rotary.of(m, spec, batch.positions(), batch.size(), batch.length()) : null;
        for (int l = 0; l < spec.nLayers(); l++) {
            x = block(m, l, x, allowed, rotary, hooks);
        }
        x = norm(x, w.array("ln_final.w"), w.array("ln_final.b"), hooks,
                HookPoint.of(HookSite.LN_FINAL_SCALE), HookPoint.of(HookSite.LN_FINAL_NORMALIZED));
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
        return addBias(x.matMul(w.array("W_U")), w.array("b_U"));
    }

    private NDArray block(NDManager m, int l, NDArray resid, NDArray allowed, Rotary rotary, RunHooks hooks) {
        resid = hooks.at(HookPoint.of(l, RESID_PRE), resid);
        NDArray n1 = norm(resid, w.layer(l, "ln1.w"), w.layer(l, "ln1.b"), hooks,
                HookPoint.of(l, LN1_SCALE), HookPoint.of(l, LN1_NORMALIZED));
        NDArray attnOut = hooks.at(HookPoint.of(l, ATTN_OUT), attention(l, n1, allowed, rotary, hooks));
        if (spec.parallelAttnMlp()) {
            NDArray n2 = norm(resid, w.layer(l, "ln2.w"), w.layer(l, "ln2.b"), hooks,
                    HookPoint.of(l, LN2_SCALE), HookPoint.of(l, LN2_NORMALIZED));
            NDArray mlpOut = hooks.at(HookPoint.of(l, MLP_OUT), mlp(l, n2, hooks));
            return hooks.at(HookPoint.of(l, RESID_POST), resid.add(attnOut).add(mlpOut));
        }
        NDArray mid = hooks.at(HookPoint.of(l, RESID_MID), resid.add(attnOut));
        NDArray n2 = norm(mid, w.layer(l, "ln2.w"), w.layer(l, "ln2.b"), hooks,
                HookPoint.of(l, LN2_SCALE), HookPoint.of(l, LN2_NORMALIZED));
        NDArray mlpOut = hooks.at(HookPoint.of(l, MLP_OUT), mlp(l, n2, hooks));
        return hooks.at(HookPoint.of(l, RESID_POST), mid.add(mlpOut));
    }

    private NDArray norm(NDArray x, NDArray gain, NDArray bias, RunHooks hooks, HookPoint scaleHook, HookPoint outHook) {
        NDArray centred = spec.norm() == ModelSpec.NormKind.LAYER_NORM ? x.sub(x.mean(new int[] {-1}, true)) : x;
        NDArray scale = hooks.at(scaleHook, centred.square().mean(new int[] {-1}, true).add(spec.normEps()).sqrt());
        return hooks.at(outHook, addBias(centred.div(scale).mul(gain), bias));
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
        if (rotary != null) {
            q = hooks.at(HookPoint.of(l, ATTN_ROT_Q), rotary.apply(q));
            k = hooks.at(HookPoint.of(l, ATTN_ROT_K), rotary.apply(k));
        }
        if (kv < h) {
            k = k.repeat(2, h / kv);
            v = v.repeat(2, h / kv);
        }
        NDArray scores = q.transpose(0, 2, 1, 3).matMul(k.transpose(0, 2, 3, 1)).div(Math.sqrt(dh));
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
            NDArray gate = hooks.at(HookPoint.of(l, MLP_PRE), x.matMul(w.layer(l, "mlp.W_gate")));
            NDArray linear = hooks.at(HookPoint.of(l, MLP_PRE_LINEAR), project(x, "mlp.W_in", "mlp.b_in", l));
            post = Activations.apply(spec.activation(), gate).mul(linear);
        } else {
            NDArray pre = hooks.at(HookPoint.of(l, MLP_PRE), project(x, "mlp.W_in", "mlp.b_in", l));
            post = Activations.apply(spec.activation(), pre);
        }
        post = hooks.at(HookPoint.of(l, MLP_POST), post);
        return project(post, "mlp.W_out", "mlp.b_out", l);
    }

    private static NDArray addBias(NDArray x, NDArray bias) {
        return bias == null ? x : x.add(bias);
    }
}
