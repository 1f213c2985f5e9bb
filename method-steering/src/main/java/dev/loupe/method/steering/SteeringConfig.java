package dev.loupe.method.steering;

import dev.loupe.api.Positions;

/**
 * Settings of one-shot steering-vector optimisation; defaults follow the paper's code.
 *
 * @param layer             the vector is applied at {@code blocks.{layer}.hook_resid_pre}
 * @param form              additive (x + v) or clamp (ablate v's direction, then add v)
 * @param promptOnly        apply at prompt positions only (default: every position)
 * @param coldness          p = softmax(coldness · logits) in the losses (paper: 0.7)
 * @param learningRate      Adam's rate (β = 0.9, 0.999)
 * @param startingNorm      norm of the random starting vector
 * @param maxNorm           after each step the vector is scaled back to this norm if longer (0: no limit)
 * @param maxIterations     stop after this many iterations
 * @param targetLoss        stop once the loss is at most this for {@code targetPatience} iterations (≤ 0: off)
 * @param targetPatience    consecutive iterations at or under the target
 * @param normaliseByLength divide each completion's loss by its length
 * @param seed              seed of the starting vector
 * @param positions         token positions to steer when not {@code promptOnly} (a slice; default all)
 * @param perCompletionTarget the target applies to every completion's own loss, not to their sum
 */
public record SteeringConfig(int layer, Form form, boolean promptOnly, double coldness, double learningRate,
                             double startingNorm, double maxNorm, int maxIterations, double targetLoss,
                             int targetPatience, boolean normaliseByLength, long seed, Positions positions,
                             boolean perCompletionTarget) {

    /** How the vector enters the residual stream. */
    public enum Form { ADD, CLAMP }

    public SteeringConfig {
        if (maxIterations < 1 || learningRate <= 0 || startingNorm <= 0 || coldness <= 0 || targetPatience < 1
                || maxNorm < 0 || layer < 0) {
            throw new IllegalArgumentException("steering config out of range: " + this);
        }
        positions = positions == null ? Positions.all() : positions;
    }

    /** Additive vector at {@code layer}, lr 0.1, start norm 1, no max norm, 30 iterations, target loss off. */
    public static SteeringConfig defaults(int layer) {
        return new SteeringConfig(layer, Form.ADD, false, 0.7, 0.1, 1.0, 0, 30, 0, 1, false, 0, Positions.all(), false);
    }

    public SteeringConfig withTarget(double loss, int patience) {
        return new SteeringConfig(layer, form, promptOnly, coldness, learningRate, startingNorm, maxNorm, maxIterations,
                loss, patience, normaliseByLength, seed, positions, perCompletionTarget);
    }

    public SteeringConfig withMaxNorm(double norm) {
        return new SteeringConfig(layer, form, promptOnly, coldness, learningRate, startingNorm, norm, maxIterations,
                targetLoss, targetPatience, normaliseByLength, seed, positions, perCompletionTarget);
    }

    public SteeringConfig withIterations(int iterations, double rate) {
        return new SteeringConfig(layer, form, promptOnly, coldness, rate, startingNorm, maxNorm, iterations,
                targetLoss, targetPatience, normaliseByLength, seed, positions, perCompletionTarget);
    }

    public SteeringConfig withPositions(Positions slice) {
        return new SteeringConfig(layer, form, promptOnly, coldness, learningRate, startingNorm, maxNorm, maxIterations,
                targetLoss, targetPatience, normaliseByLength, seed, slice, perCompletionTarget);
    }

    public SteeringConfig withPerCompletionTarget(boolean perCompletion) {
        return new SteeringConfig(layer, form, promptOnly, coldness, learningRate, startingNorm, maxNorm, maxIterations,
                targetLoss, targetPatience, normaliseByLength, seed, positions, perCompletion);
    }
}
