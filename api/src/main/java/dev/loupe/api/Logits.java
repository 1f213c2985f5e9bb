package dev.loupe.api;

/** Softmax and log-softmax of one row of logits, in double with the maximum subtracted first. */
public final class Logits {
    private Logits() {}

    /** p_i = exp(l_i − max) / Σ_j exp(l_j − max). */
    public static double[] softmax(float[] logits) {
        double max = max(logits);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** log p_i = l_i − (max + log Σ_j exp(l_j − max)). */
    public static double[] logSoftmax(float[] logits) {
        double max = max(logits);
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = logits[i] - lse;
        }
        return out;
    }

    private static double max(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        return max;
    }
}
