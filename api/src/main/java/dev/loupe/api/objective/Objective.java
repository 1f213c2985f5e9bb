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

    /**
     * An objective of a kind a plugin defines, over chosen logits rows: its value and its gradient with respect to
     * those rows, in plain Java. An engine with {@link dev.loupe.api.Capability#GRADIENTS} differentiates through
     * the model from the gradient it returns (the chain rule from the logits back), so it joins weighted sums and
     * trains steering vectors like a built-in kind; the engine never looks inside.
     */
    non-sealed interface Extension extends Objective {
        /** The kind's name, as error messages say it, e.g. {@code acme_margin}. */
        String kind();

        /** The logits rows read, at least one, in the order {@link #value} and {@link #gradient} see them. */
        List<LogitRow> rows();

        /** The objective of {@code logits} [rows().size(), vocab] (raw logits, no softmax applied). */
        double value(Tensor logits);

        /** d value / d logits, of {@code logits}' shape. */
        Tensor gradient(Tensor logits);
    }

    /** One logits row of a batch: the row at {@code position} predicts token {@code position + 1}. */
    record LogitRow(int sequence, int position) {}
}
