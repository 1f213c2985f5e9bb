package dev.loupe.method.obsprop;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.Weights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Feature vectors from weights alone: the direction y in a component's input such that the observable's share of
 * that component's output is y·x (attention pattern held fixed, QK ignored). LayerNorms are crossed with the
 * paper's rule y ↦ √d · W ⊙ y (its direction stays close to the exact gradient's; scale ignored).
 *
 * <ul>
 *   <li>final norm: y_f = √d · W_lnf ⊙ W_U n</li>
 *   <li>head h of layer l: y = √d · W_ln1 ⊙ (W_V^h W_O^h y_f), a vector in {@code blocks.l.hook_resid_pre}</li>
 * </ul>
 * E[(x·y)²] = ‖y‖² for x ~ N(0, I), so heads ranked by ‖y‖ are those that can move the observable most.
 */
public final class FeatureVectors {
    /** A head's feature vector. */
    public record HeadVector(int layer, int head, Tensor vector) {
        public double norm() {
            return vector.norm();
        }
    }

    private FeatureVectors() {}

    /** y ↦ √d · gain ⊙ y. */
    public static Tensor throughLayerNorm(Tensor y, Tensor gain) {
        float[] v = y.toArray();
        float[] g = gain.toArray();
        double sqrtD = Math.sqrt(v.length);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (sqrtD * g[i] * v[i]);
        }
        return Tensor.vector(v);
    }

    /** The observable's direction in the residual stream before the final norm. */
    public static Tensor finalResidual(Weights w, Observable n) {
        return throughLayerNorm(n.unembedDirection(w), w.get("ln_final.w"));
    }

    /** Feature vector of head (layer, head) for a downstream direction {@code y} in its output space [d_model]. */
    public static Tensor head(Weights w, ModelSpec s, int layer, int head, Tensor y) {
        return throughLayerNorm(ov(w, s, layer, head, y), w.get("blocks." + layer + ".ln1.w"));
    }

    /**
     * Head (layer, head)'s feature vector with LN1 crossed by its exact gradient at the residual-stream input
     * {@code x} (one token's {@code blocks.layer.hook_resid_pre}) instead of the √d·W rule; scale included.
     */
    public static Tensor headExact(Weights w, ModelSpec s, int layer, int head, Tensor y, float[] x) {
        return exactLayerNormGradient(x, w.get("blocks." + layer + ".ln1.w"), ov(w, s, layer, head, y));
    }

    /**
     * A virtual head's feature vector: the path through head {@code first} into head {@code second} (V-composition),
     * read out along {@code y} in the second head's output space; a vector in the first head's resid_pre.
     */
    public static Tensor virtualHead(Weights w, ModelSpec s, HeadRef first, HeadRef second, Tensor y) {
        if (first.layer() >= second.layer()) {
            throw new dev.loupe.api.LoupeException("a virtual head needs the first head in an earlier layer, got "
                    + first + " then " + second);
        }
        return head(w, s, first.layer(), first.head(), head(w, s, second.layer(), second.head(), y));
    }

    /** Head {@code head} of layer {@code layer}. */
    public record HeadRef(int layer, int head) {
        @Override
        public String toString() {
            return "L" + layer + "H" + head;
        }
    }

    /** W_V^h W_O^h y: the head's feature vector in its (normalised) input space, before crossing LN1. */
    public static Tensor ov(Weights w, ModelSpec s, int layer, int head, Tensor y) {
        String p = "blocks." + layer + ".attn.";
        Tensor wo = w.get(p + "W_O").select(head);
        Tensor wv = w.get(p + "W_V").select(head / (s.nHeads() / s.nKvHeads()));
        return Tensor.vector(wv.matVec(wo.matVec(y.toArray())));
    }

    /** Every head's feature vector for the observable read directly at the output, largest norm first. */
    public static List<HeadVector> rankHeads(Weights w, ModelSpec s, Observable n) {
        Tensor yf = finalResidual(w, n);
        List<HeadVector> out = new ArrayList<>();
        for (int l = 0; l < s.nLayers(); l++) {
            for (int h = 0; h < s.nHeads(); h++) {
                out.add(new HeadVector(l, h, head(w, s, l, h, yf)));
            }
        }
        out.sort(Comparator.comparingDouble(HeadVector::norm).reversed());
        return out;
    }

    /**
     * The exact gradient of y·LN(x) with respect to x for LN(x) = √d · W ⊙ (Px/‖Px‖) + b:
     * (√d/‖Px‖) P (I − uuᵀ)(W ⊙ y), u = Px/‖Px‖ (ε neglected). The rule {@link #throughLayerNorm} approximates its
     * direction.
     */
    public static Tensor exactLayerNormGradient(float[] x, Tensor gain, Tensor y) {
        int d = x.length;
        float[] g = gain.toArray();
        float[] yy = y.toArray();
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= d;
        double[] px = new double[d];
        double norm = 0;
        for (int i = 0; i < d; i++) {
            px[i] = x[i] - mean;
            norm += px[i] * px[i];
        }
        norm = Math.sqrt(norm);
        double[] h = new double[d];
        double ug = 0;
        for (int i = 0; i < d; i++) {
            h[i] = g[i] * yy[i];
            ug += px[i] / norm * h[i];
        }
        double hMean = 0;
        for (int i = 0; i < d; i++) {
            h[i] -= ug * px[i] / norm;
            hMean += h[i];
        }
        hMean /= d;
        float[] out = new float[d];
        for (int i = 0; i < d; i++) {
            out[i] = (float) (Math.sqrt(d) / norm * (h[i] - hMean));
        }
        return Tensor.vector(out);
    }

}
