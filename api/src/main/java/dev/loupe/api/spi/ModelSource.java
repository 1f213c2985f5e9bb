package dev.loupe.api.spi;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import java.nio.file.Path;
import java.util.Map;

/** Where an engine loads a model from. */
public sealed interface ModelSource {
    /** A Hugging Face directory: {@code config.json}, {@code *.safetensors}, {@code tokenizer.json}. */
    record Directory(Path path) implements ModelSource {}

    /**
     * A model held in memory: a spec, weights under TransformerLens names (see {@link dev.loupe.api.Weights}),
     * and a tokenizer (may be null when only token ids are used).
     */
    record InMemory(ModelSpec spec, Map<String, Tensor> weights, Tokenizer tokenizer) implements ModelSource {
        public InMemory {
            weights = Map.copyOf(weights);
        }
    }

    static ModelSource directory(Path path) {
        return new Directory(path);
    }
}
