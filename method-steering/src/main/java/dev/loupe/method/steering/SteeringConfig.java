package dev.loupe.method.steering;

import dev.loupe.api.Positions;
import dev.loupe.vectors.SteeringPlacement;

/**
 * Settings of one-shot steering-vector optimisation, built with {@link #builder}: the defaults live in the constants
 * below, which the CLI's options show as theirs too. Coldness 0.7 and starting norm 1 are the paper's code's
 * ({@code optimize_vector}); learning rate 0.5 and max norm 30 are tuned on the embedded model (the paper's code
 * defaults to 0.01 and no limit); 30 iterations, target loss off.
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
public record SteeringConfig(int layer, SteeringPlacement.Form form, boolean promptOnly, double coldness, double learningRate,
                             double startingNorm, double maxNorm, int maxIterations, double targetLoss,
                             int targetPatience, boolean normaliseByLength, long seed, Positions positions,
                             boolean perCompletionTarget) {
    public static final double DEFAULT_COLDNESS = 0.7;
    public static final double DEFAULT_LEARNING_RATE = 0.5;
    public static final double DEFAULT_STARTING_NORM = 1.0;
    public static final double DEFAULT_MAX_NORM = 30;
    public static final int DEFAULT_MAX_ITERATIONS = 30;

    public SteeringConfig {
        if (maxIterations < 1 || learningRate <= 0 || startingNorm <= 0 || coldness <= 0 || targetPatience < 1
                || maxNorm < 0 || layer < 0) {
            throw new IllegalArgumentException("steering config out of range: " + this);
        }
        positions = positions == null ? Positions.all() : positions;
    }

    /** Where and how a vector made with these settings is applied. */
    public SteeringPlacement placement() {
        return new SteeringPlacement(layer, form, promptOnly, positions);
    }

    /** The defaults at {@code layer}. */
    public static SteeringConfig defaults(int layer) {
        return builder(layer).build();
    }

    /** A builder at {@code layer}, every other setting at its default. */
    public static Builder builder(int layer) {
        return new Builder(layer);
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder(layer);
        b.form = form;
        b.promptOnly = promptOnly;
        b.coldness = coldness;
        b.learningRate = learningRate;
        b.startingNorm = startingNorm;
        b.maxNorm = maxNorm;
        b.maxIterations = maxIterations;
        b.targetLoss = targetLoss;
        b.targetPatience = targetPatience;
        b.normaliseByLength = normaliseByLength;
        b.seed = seed;
        b.positions = positions;
        b.perCompletionTarget = perCompletionTarget;
        return b;
    }

    /** Settings one at a time; {@link #build} checks them. */
    public static final class Builder {
        private final int layer;
        private SteeringPlacement.Form form = SteeringPlacement.Form.ADD;
        private boolean promptOnly;
        private double coldness = DEFAULT_COLDNESS;
        private double learningRate = DEFAULT_LEARNING_RATE;
        private double startingNorm = DEFAULT_STARTING_NORM;
        private double maxNorm = DEFAULT_MAX_NORM;
        private int maxIterations = DEFAULT_MAX_ITERATIONS;
        private double targetLoss;
        private int targetPatience = 1;
        private boolean normaliseByLength;
        private long seed;
        private Positions positions = Positions.all();
        private boolean perCompletionTarget;

        private Builder(int layer) {
            this.layer = layer;
        }

        public Builder form(SteeringPlacement.Form value) {
            form = value;
            return this;
        }

        public Builder promptOnly(boolean value) {
            promptOnly = value;
            return this;
        }

        public Builder coldness(double value) {
            coldness = value;
            return this;
        }

        public Builder learningRate(double value) {
            learningRate = value;
            return this;
        }

        public Builder startingNorm(double value) {
            startingNorm = value;
            return this;
        }

        /** 0: no limit. */
        public Builder maxNorm(double value) {
            maxNorm = value;
            return this;
        }

        public Builder maxIterations(int value) {
            maxIterations = value;
            return this;
        }

        /** Stop once the loss is at most {@code loss} for {@code patience} consecutive iterations. */
        public Builder target(double loss, int patience) {
            targetLoss = loss;
            targetPatience = patience;
            return this;
        }

        public Builder normaliseByLength(boolean value) {
            normaliseByLength = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder positions(Positions value) {
            positions = value;
            return this;
        }

        public Builder perCompletionTarget(boolean value) {
            perCompletionTarget = value;
            return this;
        }

        public SteeringConfig build() {
            return new SteeringConfig(layer, form, promptOnly, coldness, learningRate, startingNorm, maxNorm,
                    maxIterations, targetLoss, targetPatience, normaliseByLength, seed, positions, perCompletionTarget);
        }
    }
}
