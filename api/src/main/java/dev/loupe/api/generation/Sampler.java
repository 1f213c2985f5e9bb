package dev.loupe.api.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/** {@link Sampling}'s rule on one row of logits, in double precision. */
final class Sampler {
    private final Sampling sampling;
    private final SplittableRandom random;

    Sampler(Sampling sampling, int sequence) {
        this.sampling = sampling;
        this.random = new SplittableRandom(sampling.seed() * 0x9E3779B97F4A7C15L + sequence);
    }

    /**
     * The next token among ids [0, choices) of {@code logits}, given the tokens so far (for the repetition penalty).
     */
    int next(float[] logits, int choices, int[] previous) {
        double[] z = new double[choices];
        for (int v = 0; v < choices; v++) {
            z[v] = logits[v];
        }
        if (sampling.repetitionPenalty() != 1) {
            boolean[] seen = new boolean[choices];
            for (int t : previous) {
                if (t >= 0 && t < choices && !seen[t]) {
                    seen[t] = true;
                    z[t] = z[t] > 0 ? z[t] / sampling.repetitionPenalty() : z[t] * sampling.repetitionPenalty();
                }
            }
        }
        if (sampling.isGreedy()) {
            int best = 0;
            for (int v = 1; v < choices; v++) {
                if (z[v] > z[best]) {
                    best = v;
                }
            }
            return best;
        }
        return draw(probabilities(z));
    }

    /**
     * softmax(z / T) with top-k and top-p applied and renormalised. The kept tokens are the highest-ranked (ties
     * broken by the lower id), found from a sorted copy of the values: no per-token boxing, no sort when neither
     * top-k nor top-p restricts.
     */
    double[] probabilities(double[] z) {
        int n = z.length;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        int keep = sampling.topK() > 0 ? Math.min(sampling.topK(), n) : n;
        boolean[] kept = null;
        if (keep < n || sampling.topP() < 1) {
            double[] descending = z.clone();
            Arrays.sort(descending);
            reverse(descending);
            if (sampling.topP() < 1) {
                keep = nucleus(descending, keep, max);
            }
            kept = highest(z, descending[keep - 1], keep);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int v = 0; v < n; v++) {
            if (kept == null || kept[v]) {
                p[v] = Math.exp((z[v] - max) / sampling.temperature());
                sum += p[v];
            }
        }
        for (int v = 0; v < n; v++) {
            p[v] /= sum;
        }
        return p;
    }

    /** How many of the top {@code keep} values (descending) it takes for their probability to reach top-p. */
    private int nucleus(double[] descending, int keep, double max) {
        double sum = 0;
        for (int r = 0; r < keep; r++) {
            sum += Math.exp((descending[r] - max) / sampling.temperature());
        }
        double cumulative = 0;
        int r = 0;
        while (r < keep) {
            cumulative += Math.exp((descending[r] - max) / sampling.temperature()) / sum;
            r++;
            if (cumulative >= sampling.topP()) {
                break;
            }
        }
        return r;
    }

    /** The {@code keep} ids whose values rank highest: every one above {@code cutoff}, then ties by lower id. */
    private static boolean[] highest(double[] z, double cutoff, int keep) {
        boolean[] kept = new boolean[z.length];
        int above = 0;
        for (int v = 0; v < z.length; v++) {
            if (z[v] > cutoff) {
                kept[v] = true;
                above++;
            }
        }
        int ties = keep - above;
        for (int v = 0; v < z.length && ties > 0; v++) {
            if (z[v] == cutoff) {
                kept[v] = true;
                ties--;
            }
        }
        return kept;
    }

    private static void reverse(double[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private int draw(double[] p) {
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int v = 0; v < p.length; v++) {
            if (p[v] > 0) {
                cumulative += p[v];
                last = v;
                if (u < cumulative) {
                    return v;
                }
            }
        }
        return last;
    }
}
