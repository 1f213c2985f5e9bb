package dev.loupe.method.transcoder.circuit;

import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.Weights;
import dev.loupe.dictionary.Transcoder;

/**
 * Input-invariant views of a transcoder feature, from weights alone (LayerNorms crossed by their gain, scale
 * ignored): which tokens excite it directly or through one attention head (de-embeddings), which logits it
 * pushes (logit effect), and how strongly each feature of an earlier transcoder feeds it (pullback).
 */
public final class FeatureLens {
    private FeatureLens() {}

    /**
     * The feature's encoder direction read in the residual stream before its LN2: W_ln2 ⊙ W_enc[:, i] (for a gated
     * encoder, the magnitude path's column, which an open feature's value follows).
     */
    public static float[] encoderDirection(Weights w, int layer, Transcoder t, int feature) {
        float[] gain = w.get("blocks." + layer + ".ln2.w").toArray();
        float[] column = t.mlp().activeLinear(feature)[0];
        float[] out = new float[t.dIn()];
        for (int k = 0; k < out.length; k++) {
            out[k] = gain[k] * column[k];
        }
        return out;
    }

    /** For each token: W_E[token] · (W_ln2 ⊙ W_enc[:, i]). */
    public static double[] deEmbedding(Model m, int layer, Transcoder t, int feature, int[] tokens) {
        m.spec().requireLinearReadout("The feature lens");
        return embedScores(m.weights(), encoderDirection(m.weights(), layer, t, feature), tokens);
    }

    /**
     * W_V^h W_O^h (W_ln2 ⊙ W_enc[:, i]): the direction in head h's normalised input (its {@code ln1.hook_out})
     * whose read-out, per unit of attention, reaches the feature's encoder.
     */
    public static float[] throughHead(Model m, int layer, Transcoder t, int feature, int headLayer, int head) {
        m.spec().requireLinearReadout("The feature lens");
        Weights w = m.weights();
        int group = m.spec().nHeads() / m.spec().nKvHeads();
        float[] g = w.get("blocks." + headLayer + ".attn.W_O").select(head).matVec(encoderDirection(w, layer, t, feature));
        return w.get("blocks." + headLayer + ".attn.W_V").select(head / group).matVec(g);
    }

    /** For each token: W_E[token] · (W_ln1 ⊙ W_V^h W_O^h (W_ln2 ⊙ W_enc[:, i])), the path through one head. */
    public static double[] deEmbeddingThroughHead(Model m, int layer, Transcoder t, int feature, int headLayer,
                                                  int head, int[] tokens) {
        m.spec().requireLinearReadout("The feature lens");
        float[] v = throughHead(m, layer, t, feature, headLayer, head);
        float[] gain = m.weights().get("blocks." + headLayer + ".ln1.w").toArray();
        for (int k = 0; k < v.length; k++) {
            v[k] *= gain[k];
        }
        return embedScores(m.weights(), v, tokens);
    }

    /** For each token: (W_ln_final ⊙ W_dec[i]) · W_U[:, token]. */
    public static double[] logitEffect(Model m, Transcoder t, int feature, int[] tokens) {
        m.spec().requireLinearReadout("The feature lens");
        Weights w = m.weights();
        float[] gain = w.get("ln_final.w").toArray();
        Tensor wu = w.get("W_U");
        double[] out = new double[tokens.length];
        for (int j = 0; j < tokens.length; j++) {
            for (int k = 0; k < t.dOut(); k++) {
                out[j] += gain[k] * t.wDec().get(feature, k) * wu.get(k, tokens[j]);
            }
        }
        return out;
    }

    /** For each feature j of an earlier transcoder: W_dec_early[j] · (W_ln2 ⊙ W_enc[:, i]). */
    public static double[] pullback(Model m, int layer, Transcoder t, int feature, Transcoder earlier) {
        m.spec().requireLinearReadout("The feature lens");
        float[] f = encoderDirection(m.weights(), layer, t, feature);
        double[] out = new double[earlier.dSae()];
        for (int j = 0; j < out.length; j++) {
            for (int k = 0; k < f.length; k++) {
                out[j] += earlier.wDec().get(j, k) * f[k];
            }
        }
        return out;
    }

    private static double[] embedScores(Weights w, float[] direction, int[] tokens) {
        Tensor we = w.get("W_E");
        double[] out = new double[tokens.length];
        for (int j = 0; j < tokens.length; j++) {
            out[j] = Decomposition.dot(we.select(tokens[j]).toArray(), direction);
        }
        return out;
    }
}
