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

    /**
     * One replica's part of a data-parallel step: the gradients of the loss on this replica's shard of the batch and
     * the features that fired on it; parameters, moments and counters untouched. The replicas combine their parts
     * ({@link Part#mean}) and each calls {@link #apply} with the result, so they stay identical and, up to rounding,
     * equal one trainer stepping on the whole batch (exactly so in exact arithmetic without ghost grads; with them,
     * each shard's ghost term is scaled by its own loss).
     */
    default Part part(Tensor x, Tensor y) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no data-parallel steps");
    }

    /** The optimizer step of {@code combined} parts: what {@link #step} does after its backward pass. */
    default Step apply(Part combined) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no data-parallel steps");
    }

    /**
     * A replica's gradients and statistics for one step.
     *
     * @param gradients of W_enc, b_enc, W_dec, b_dec, b_dec_out (as {@link SpliceFunction.SparseMlp} names them)
     * @param fired     per feature, the rows it fired on
     * @param rows      rows in the shard
     * @param losses    the shard's {@link Step} (its l0 is per row, its dead count the trainer's)
     */
    record Part(java.util.List<Tensor> gradients, float[] fired, long rows, Step losses) {
        /**
         * The row-weighted mean of replicas' parts: gradients and losses averaged as one batch's would be, fired rows
         * added up.
         */
        public static Part mean(java.util.List<Part> parts) {
            long rows = parts.stream().mapToLong(Part::rows).sum();
            int n = parts.get(0).gradients().size();
            java.util.List<Tensor> mean = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                Tensor first = parts.get(0).gradients().get(i);
                float[] sum = new float[first.numel()];
                for (Part p : parts) {
                    java.nio.FloatBuffer g = p.gradients().get(i).buffer();
                    for (int k = 0; k < sum.length; k++) {
                        sum[k] += (float) ((double) g.get(k) * p.rows() / rows);
                    }
                }
                mean.add(Tensor.adopt(sum, first.shape()));
            }
            float[] fired = new float[parts.get(0).fired().length];
            double[] l = new double[5];
            for (Part p : parts) {
                for (int j = 0; j < fired.length; j++) {
                    fired[j] += p.fired()[j];
                }
                double w = (double) p.rows() / rows;
                l[0] += w * p.losses().mse();
                l[1] += w * p.losses().l1();
                l[2] += w * p.losses().ghost();
                l[3] += w * p.losses().loss();
                l[4] += w * p.losses().l0();
            }
            return new Part(mean, fired, rows, new Step(l[0], l[1], l[2], l[3], l[4], parts.get(0).losses().dead()));
        }
    }

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
