package dev.loupe.api.objective;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Tensor;
import java.util.List;

/**
 * A scalar function of one forward pass, for {@link GradientRequest}s. Positions index the logits row that
 * predicts the target (the logits at position p predict token p + 1). Probabilities are
 * softmax(coldness · logits); natural logarithms throughout.
 */
public sealed interface Objective {

    /** Σ_i log p(tokens[i] | logits at positions[i]) for one sequence of the batch (teacher forcing). */
    record TokenLogProb(TokenTargets targets, double coldness) implements Objective {}

    /** Σ_i log(1 − p(tokens[i] | logits at positions[i])): the suppression term. */
    record TokenLogOneMinusProb(TokenTargets targets, double coldness) implements Objective {}

    /** logits[tokenA] − logits[tokenB] at one position. */
    record LogitDifference(int sequence, int position, int tokenA, int tokenB) implements Objective {}

    /** The dot product of a hook's activation at one position with a vector of the activation's trailing shape. */
    record HookDot(HookPoint hook, int sequence, int position, Tensor vector) implements Objective {}

    /** Σ weight · objective. */
    record WeightedSum(List<Term> terms) implements Objective {
        public WeightedSum {
            terms = List.copyOf(terms);
        }
    }

    /** One term of a {@link WeightedSum}. */
    record Term(double weight, Objective objective) {}
}
