package dev.loupe.api.training;

/**
 * Adam with linear warm-up and cosine decay to 10% of the peak rate, decoupled weight decay on matrices, and
 * gradient-norm clipping.
 *
 * @param learningRate peak learning rate
 * @param beta1        Adam first-moment decay
 * @param beta2        Adam second-moment decay
 * @param epsilon      Adam denominator floor
 * @param weightDecay  decoupled (AdamW) decay applied to weights of rank ≥ 2
 * @param warmupSteps  steps of linear warm-up from 0
 * @param totalSteps   steps of the whole run (the cosine reaches its floor there); 0 keeps the rate constant
 * @param gradientClip largest global gradient norm (0: no clipping)
 */
public record TrainerConfig(double learningRate, double beta1, double beta2, double epsilon, double weightDecay,
                            int warmupSteps, int totalSteps, double gradientClip) {
    public TrainerConfig {
        if (!(learningRate > 0) || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || warmupSteps < 0
                || totalSteps < 0 || gradientClip < 0 || weightDecay < 0) {
            throw new IllegalArgumentException("trainer config out of range: " + this);
        }
    }

    /** Adam(0.9, 0.95), no weight decay, no schedule, clipping at 1. */
    public static TrainerConfig adam(double learningRate) {
        return new TrainerConfig(learningRate, 0.9, 0.95, 1e-8, 0, 0, 0, 1.0);
    }

    /** The learning rate at step {@code step} (0-based). */
    public double rateAt(int step) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / warmupSteps;
        }
        if (totalSteps <= warmupSteps) {
            return learningRate;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
