package dev.loupe.api.training;

import dev.loupe.api.LoupeException;

/**
 * How a {@link SparseMlpTrainer} optimizes: Adam with a linear learning-rate warm-up; decoder rows held at unit norm
 * (the gradient's component along each row removed before the step, rows renormalised after); a feature that has
 * not fired for {@code deadAfter} steps is dead, and with {@code ghostGrads} dead features are trained to explain
 * the residual y − ŷ through exp(pre-activation), scaled as in SAELens.
 *
 * @param l1Coefficient λ on the L1 term
 * @param learningRate  Adam's peak rate
 * @param warmupSteps   steps of linear warm-up from 0
 * @param beta1         Adam β₁
 * @param beta2         Adam β₂
 * @param deadAfter     steps without firing after which a feature counts as dead
 * @param ghostGrads    whether dead features get the ghost-grad term
 */
public record SparseMlpTrainingConfig(double l1Coefficient, double learningRate, int warmupSteps, double beta1,
                                      double beta2, int deadAfter, boolean ghostGrads) {
    public SparseMlpTrainingConfig {
        if (l1Coefficient < 0 || learningRate <= 0 || warmupSteps < 0 || deadAfter < 1) {
            throw new LoupeException("sparse MLP training: l1 >= 0, learning rate > 0, warm-up >= 0 and deadAfter >= 1 "
                    + "expected, got l1 " + l1Coefficient + ", lr " + learningRate + ", warm-up " + warmupSteps
                    + ", deadAfter " + deadAfter);
        }
    }

    public static SparseMlpTrainingConfig defaults(double l1) {
        return new SparseMlpTrainingConfig(l1, 1e-3, 200, 0.9, 0.999, 1000, true);
    }

    /** The learning rate at step t (0-based). */
    public double rateAt(int step) {
        return warmupSteps == 0 ? learningRate : learningRate * Math.min(1.0, (step + 1.0) / warmupSteps);
    }
}
