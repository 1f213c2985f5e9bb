package dev.loupe.api.training;

import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.SpliceFunction;
import java.util.Map;

/**
 * Fits a {@link SpliceFunction.SparseMlp} (a transcoder or SAE) to (input, target) activation pairs inside an
 * engine: z = ReLU((x − b_dec) W_enc + b_enc), ŷ = z W_dec + b_dec_out; loss = MSE + λ·L1 (+ ghost grads), see
 * {@link SparseMlpTrainingConfig}. Obtain one from an engine with the {@code TRAINING} capability.
 */
public interface SparseMlpTrainer extends AutoCloseable {
    /** One optimizer step on x [n, d_in] → y [n, d_out]; the losses are those before the step. */
    Step step(Tensor x, Tensor y);

    /** The current parameters (a copy). */
    SpliceFunction.SparseMlp parameters();

    /**
     * Everything needed to continue bit-for-bit: Adam moments, the step count and the steps since each feature last
     * fired, under stable names. {@link #restore} takes it back.
     */
    Map<String, Tensor> state();

    /** Continues from parameters and a {@link #state()} saved earlier. */
    void restore(SpliceFunction.SparseMlp parameters, Map<String, Tensor> state);

    /** Steps taken so far. */
    int steps();

    @Override
    void close();

    /**
     * The losses of one batch.
     *
     * @param mse    mean over tokens of Σ (ŷ − y)²
     * @param l1     mean over tokens of Σ |z|
     * @param ghost  the ghost-grad term (0 when no feature is dead or ghost grads are off)
     * @param loss   mse + λ·l1 + ghost
     * @param l0     mean number of active features per token
     * @param dead   features that have not fired for {@link SparseMlpTrainingConfig#deadAfter()} steps
     */
    record Step(double mse, double l1, double ghost, double loss, double l0, int dead) {}
}
