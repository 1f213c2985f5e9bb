package dev.loupe.method.obsprop;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.Weights;
import java.util.Map;
import java.util.TreeMap;

/**
 * A linear functional on the logits, n·logits (Dunefsky &amp; Cohan, ICML 2024): one token, a difference of tokens
 * (e.g. "she" − "he"), or any weighted sum. In the residual stream entering the unembedding it is W_U n.
 *
 * @param weights token id → coefficient
 */
public record Observable(Map<Integer, Double> weights) {
    public Observable {
        if (weights.isEmpty()) {
            throw new LoupeException("an observable needs at least one token");
        }
        weights = Map.copyOf(new TreeMap<>(weights));
    }

    public static Observable token(int id) {
        return new Observable(Map.of(id, 1.0));
    }

    /** logit[a] − logit[b]. */
    public static Observable difference(int a, int b) {
        return new Observable(Map.of(a, 1.0, b, -1.0));
    }

    /** Any vector over the vocabulary: n·logits with n[i] = coefficients[i] (zeros dropped). */
    public static Observable vector(float[] coefficients) {
        Map<Integer, Double> w = new TreeMap<>();
        for (int i = 0; i < coefficients.length; i++) {
            if (coefficients[i] != 0) {
                w.put(i, (double) coefficients[i]);
            }
        }
        return new Observable(w);
    }

    /** The value of the observable on one logits row [d_vocab]. */
    public double apply(float[] logits) {
        double v = 0;
        for (Map.Entry<Integer, Double> e : weights.entrySet()) {
            v += e.getValue() * logits[e.getKey()];
        }
        return v;
    }

    /** W_U n [d_model]: the direction in the final normalised residual stream that the observable reads. */
    public Tensor unembedDirection(Weights w) {
        Tensor wu = w.get("W_U");
        int d = wu.size(0);
        int vocab = wu.size(1);
        float[] u = wu.toArray();
        float[] out = new float[d];
        for (Map.Entry<Integer, Double> e : weights.entrySet()) {
            int t = e.getKey();
            if (t < 0 || t >= vocab) {
                throw new LoupeException("observable token " + t + " is out of range for a vocabulary of " + vocab);
            }
            for (int i = 0; i < d; i++) {
                out[i] += (float) (e.getValue() * u[i * vocab + t]);
            }
        }
        return Tensor.vector(out);
    }
}
