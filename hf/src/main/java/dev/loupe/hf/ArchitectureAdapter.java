package dev.loupe.hf;

import dev.loupe.api.ModelSpec;
import java.util.Map;
import java.util.Set;

/**
 * Maps one family of Hugging Face checkpoints onto Loupe: its {@code config.json} onto a {@link ModelSpec}, and its
 * tensors onto TransformerLens-named weights. Adapters are services ({@code provides dev.loupe.hf.ArchitectureAdapter}),
 * so a new family is a new small class, not a change to the engines.
 *
 * <p>Nothing is silently ignored: every config field is read by {@link #spec}, listed by {@link #harmlessFields}
 * (or {@link ConfigFields#HARMLESS}), or pinned by {@link #fixedFields} to the one value Loupe computes; every
 * tensor in the checkpoint is read by {@link #weights} or named by {@link #bufferTensors}.
 */
public interface ArchitectureAdapter {
    /** The {@code model_type} values this adapter reads. */
    Set<String> modelTypes();

    ModelSpec spec(HfConfig config);

    /** Where each TransformerLens weight of {@code spec} comes from; {@code config} says which optional parts exist. */
    WeightMapping weights(ModelSpec spec, HfConfig config);

    /** Family fields that change the forward pass, with the one value Loupe computes (HF's default). */
    default Map<String, Object> fixedFields() {
        return Map.of();
    }

    /** Family fields that never change the forward pass (beyond {@link ConfigFields#HARMLESS}). */
    default Set<String> harmlessFields() {
        return Set.of();
    }

    /** Checkpoint entries that are not weights (causal-mask buffers, cached rotary tables), by regular expression. */
    default Set<String> bufferTensors() {
        return Set.of();
    }
}
