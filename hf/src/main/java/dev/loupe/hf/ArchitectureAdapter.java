package dev.loupe.hf;

import dev.loupe.api.ModelSpec;
import java.util.Set;

/**
 * Maps one family of Hugging Face checkpoints onto Loupe: its {@code config.json} onto a {@link ModelSpec}, and its
 * tensors onto TransformerLens-named weights. Adapters are services ({@code provides dev.loupe.hf.ArchitectureAdapter}),
 * so a new family is a new small class, not a change to the engines.
 */
public interface ArchitectureAdapter {
    /** The {@code model_type} values this adapter reads. */
    Set<String> modelTypes();

    ModelSpec spec(HfConfig config);

    WeightMapping weights(ModelSpec spec);
}
