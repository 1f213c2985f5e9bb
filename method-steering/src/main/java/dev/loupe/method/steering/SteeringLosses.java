package dev.loupe.method.steering;

import dev.loupe.api.objective.Objective;
import dev.loupe.api.objective.TokenTargets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one-shot steering losses (Dunefsky et al., COLM 2025), as objectives over a teacher-forced forward pass of
 * prompt + completion with p = softmax(coldness · logits), natural logarithms:
 * <ul>
 *   <li>promotion of y: L₊ = −Σ_k log p(y_{k+1} | x, y_≤k; v)</li>
 *   <li>suppression of y: L₋ = −Σ_k log(1 − p(y_{k+1} | x, y_≤k; v))</li>
 *   <li>mixed: the sum over every promoted and suppressed completion, each optionally divided by its length.</li>
 * </ul>
 * The paper quotes thresholds in base-10 "hartleys"; the original code, and this class, use natural logs.
 */
public final class SteeringLosses {
    private SteeringLosses() {}

    /**
     * The loss of one datapoint as an objective to maximise the negative of: returns the objective whose value is
     * −L (so {@code loss = −value}). Sequence {@code i} of the batch holds prompt + the i-th completion (promoted
     * first, then suppressed).
     */
    public static Objective negatedLoss(Datapoint d, double coldness, boolean normaliseByLength) {
        List<Objective.Term> terms = new ArrayList<>();
        int seq = 0;
        for (int[] y : d.promote()) {
            terms.add(new Objective.Term(weight(y, normaliseByLength),
                    new Objective.TokenLogProb(TokenTargets.completion(seq++, d.prompt().length, y), coldness)));
        }
        for (int[] y : d.suppress()) {
            terms.add(new Objective.Term(weight(y, normaliseByLength),
                    new Objective.TokenLogOneMinusProb(TokenTargets.completion(seq++, d.prompt().length, y), coldness)));
        }
        return new Objective.WeightedSum(terms);
    }

    /** The sequences the loss reads: prompt + each completion, promoted first. */
    public static List<int[]> sequences(Datapoint d) {
        List<int[]> out = new ArrayList<>();
        for (int[] y : d.promote()) {
            out.add(concat(d.prompt(), y));
        }
        for (int[] y : d.suppress()) {
            out.add(concat(d.prompt(), y));
        }
        return out;
    }

    /** The datapoint split into one datapoint per completion (promoted first), for per-completion losses. */
    public static List<Datapoint> perCompletion(Datapoint d) {
        List<Datapoint> out = new ArrayList<>();
        for (int[] y : d.promote()) {
            out.add(new Datapoint(d.prompt(), List.of(y), List.of(), d.negative()));
        }
        for (int[] y : d.suppress()) {
            out.add(new Datapoint(d.prompt(), List.of(), List.of(y), d.negative()));
        }
        return out;
    }

    private static double weight(int[] completion, boolean normalise) {
        return normalise ? 1.0 / completion.length : 1.0;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
