package dev.loupe.method.transcoder;

import dev.loupe.api.training.SparseMlpTrainer;
import java.util.List;

/**
 * The replicas of one data-parallel training ({@link TranscoderTraining#trainDataParallel}): which one this is, and
 * the collective that gives every replica every replica's part of a step. Implemented by whatever runs the replicas
 * (a Spark barrier stage; threads in a test).
 */
public interface Replicas {
    /** This replica, 0 … {@link #count()} − 1. */
    int rank();

    int count();

    /** Every replica's part of this step in rank order; every replica calls it once a step. */
    List<SparseMlpTrainer.Part> gather(SparseMlpTrainer.Part mine);
}
