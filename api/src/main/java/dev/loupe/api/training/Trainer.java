package dev.loupe.api.training;

import java.util.List;

/**
 * Trains a model's own weights on next-token prediction, inside its engine. Sequences of one batch must have
 * equal lengths (pack documents into fixed windows). Close it to stop training; the model keeps the weights.
 */
public interface Trainer extends AutoCloseable {
    /** One optimizer step; returns the batch's mean cross-entropy (nats per predicted token) before the step. */
    double step(List<int[]> batch);

    /** Mean cross-entropy of the batch, without a step. */
    double loss(List<int[]> batch);

    /** Steps taken so far. */
    int steps();

    /** Steps whose loss or gradient was not finite: they were skipped and changed no weight. */
    int skippedSteps();

    @Override
    void close();
}
