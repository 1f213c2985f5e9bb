package dev.loupe.api;

import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.objective.GradientResult;
import dev.loupe.api.training.Trainer;
import dev.loupe.api.training.TrainerConfig;
import java.util.Set;

/**
 * A loaded transformer on some engine: run it with hooks and interventions, read its weights, and (where the
 * engine has {@link Capability#GRADIENTS}) differentiate objectives. Close it to free native memory.
 *
 * <p><b>Threads.</b> {@link #run}, {@link #gradients}, {@link #spec}, {@link #weights} and {@link #tokenizer} may be
 * called from any number of threads at once; each call gives what it gives alone (the conformance kit checks
 * this with 8 threads on every engine). Not safe to share: a {@link Trainer} (one thread drives it, and it changes
 * the weights other calls see), and {@link #close} while calls are in flight.
 */
public interface Model extends AutoCloseable {
    ModelSpec spec();

    Tokenizer tokenizer();

    Weights weights();

    /** Name of the engine that runs this model. */
    String engineName();

    Set<Capability> capabilities();

    RunResult run(RunRequest request);

    /** Value and gradients of an objective; engines without {@link Capability#GRADIENTS} throw. */
    default GradientResult gradients(GradientRequest request) {
        throw new UnsupportedOperationException("engine '" + engineName()
                + "' cannot compute gradients; use an engine with the GRADIENTS capability (e.g. djl)");
    }

    /**
     * An incremental decoder with a KV cache (engines with {@link Capability#KV_CACHE}); others throw, and
     * {@link dev.loupe.api.generation.Generator} reruns the whole sequence each step instead.
     */
    default dev.loupe.api.spi.DecodeSession decoder() {
        throw new LoupeException("engine '" + engineName() + "' has no KV cache; generation reruns the sequence");
    }

    /**
     * Starts next-token training of this model's own weights (engines with {@link Capability#TRAINING}); the
     * weights stay inside the engine and {@link #weights()} shows their current values.
     */
    default Trainer trainer(TrainerConfig config) {
        throw new UnsupportedOperationException("engine '" + engineName()
                + "' cannot train; use an engine with the TRAINING capability (e.g. djl)");
    }

    /**
     * Starts fitting a sparse MLP (a transcoder or SAE) on this model's engine and device, from {@code initial}
     * (engines with {@link Capability#TRAINING}).
     */
    default dev.loupe.api.training.SparseMlpTrainer sparseMlpTrainer(
            dev.loupe.api.intervention.SpliceFunction.SparseMlp initial,
            dev.loupe.api.training.SparseMlpTrainingConfig config) {
        throw new UnsupportedOperationException("engine '" + engineName()
                + "' cannot train; use an engine with the TRAINING capability (e.g. djl)");
    }

    @Override
    void close();
}
