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

    /** softmax(z / T) with top-k and top-p applied and renormalised. */
    double[] probabilities(double[] z) {
        int n = z.length;
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> z[a] != z[b] ? Double.compare(z[b], z[a]) : Integer.compare(a, b));
        int keep = sampling.topK() > 0 ? Math.min(sampling.topK(), n) : n;
        double max = z[order[0]];
        double[] p = new double[n];
        double sum = 0;
        for (int r = 0; r < keep; r++) {
            int v = order[r];
            p[v] = Math.exp((z[v] - max) / sampling.temperature());
            sum += p[v];
        }
        if (sampling.topP() < 1) {
            double cumulative = 0;
            int r = 0;
            while (r < keep) {
                cumulative += p[order[r]] / sum;
                r++;
                if (cumulative >= sampling.topP()) {
                    break;
                }
            }
            for (int dropped = r; dropped < keep; dropped++) {
                p[order[dropped]] = 0;
            }
            keep = r;
            sum = 0;
            for (int i = 0; i < keep; i++) {
                sum += p[order[i]];
            }
        }
        for (int v = 0; v < n; v++) {
            p[v] /= sum;
        }
        return p;
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
