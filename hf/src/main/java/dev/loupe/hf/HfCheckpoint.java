package dev.loupe.hf;

import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * A Hugging Face model directory opened for loading: the {@link ModelSpec} from {@code config.json}, lazy readers
 * of the weights under TransformerLens names, and the tokenizer when {@code tokenizer.json} is present. Engines
 * read the weights one by one and then close the checkpoint.
 */
public final class HfCheckpoint implements AutoCloseable {
    private final Path dir;
    private final ModelSpec spec;
    private final CheckpointTensors tensors;
    private final Map<String, WeightMapping.TensorReader> weights;
    private final Path tokenizerFile;

    private HfCheckpoint(Path dir, ModelSpec spec, CheckpointTensors tensors,
                         Map<String, WeightMapping.TensorReader> weights, Path tokenizerFile) {
        this.dir = dir;
        this.spec = spec;
        this.tensors = tensors;
        this.weights = weights;
        this.tokenizerFile = tokenizerFile;
    }

    public static HfCheckpoint open(Path dir) {
        if (Files.isRegularFile(dir)) {
            if (CheckpointTensors.isPickle(dir)) {
                throw CheckpointTensors.refusePickle(dir);
            }
            throw new LoupeException(dir + ": is a file; expected a model directory with config.json, "
                    + "model.safetensors and tokenizer.json");
        }
        if (!Files.isDirectory(dir)) {
            throw new LoupeException(dir + ": no such directory (expected a Hugging Face model directory)");
        }
        HfConfig config = HfConfig.read(dir.resolve("config.json"));
        ArchitectureAdapter adapter = adapterFor(config);
        CheckpointTensors tensors = CheckpointTensors.open(dir);
        try {
            ConfigRanges.check(config, tensors);
            ModelSpec spec = spec(config, adapter);
            ConfigRanges.check(config, spec);
            WeightMapping mapping = adapter.weights(spec, config);
            Set<String> harmless = new HashSet<>(ConfigFields.HARMLESS);
            harmless.addAll(adapter.harmlessFields());
            config.requireAllRead(harmless, config.modelType());
            ConfigRanges.checkHeap(tensors);
            Path tok = dir.resolve("tokenizer.json");
            return new HfCheckpoint(dir, spec, tensors, mapping.read(tensors, adapter.bufferTensors()),
                    Files.isRegularFile(tok) ? tok : null);
        } catch (RuntimeException e) {
            tensors.close();
            throw e;
        }
    }

    /**
     * The spec of the model in {@code dir} from its {@code config.json} alone (no tensor is read): what a command
     * that only needs shapes (e.g. a method's defaults) reads. The full checks run when the model is loaded.
     */
    public static ModelSpec readSpec(Path dir) {
        HfConfig config = HfConfig.read(dir.resolve("config.json"));
        return spec(config, adapterFor(config));
    }

    /** The spec of {@code config}, after refusing the fields pinned to a value Loupe does not compute. */
    static ModelSpec spec(HfConfig config, ArchitectureAdapter adapter) {
        config.requireDefaults(ConfigFields.FIXED);
        config.requireDefaults(adapter.fixedFields());
        try {
            return adapter.spec(config);
        } catch (LoupeException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new LoupeException(config.file() + ": " + e.getMessage());
        }
    }

    /** {@code model_type} → the adapter that reads it, for every adapter found. */
    public static Map<String, ArchitectureAdapter> adapters() {
        Map<String, ArchitectureAdapter> known = new TreeMap<>();
        for (ArchitectureAdapter a : ServiceLoader.load(ArchitectureAdapter.class, HfCheckpoint.class.getClassLoader())) {
            a.modelTypes().forEach(t -> known.putIfAbsent(t, a));
        }
        return known;
    }

    static ArchitectureAdapter adapterFor(HfConfig config) {
        String type = config.modelType();
        Map<String, ArchitectureAdapter> known = adapters();
        ArchitectureAdapter a = known.get(type);
        if (a == null) {
            throw config.error("model_type", "is '" + type + "', which no architecture adapter reads (supported: "
                    + String.join(", ", known.keySet()) + ")");
        }
        return a;
    }

    public Path dir() {
        return dir;
    }

    public ModelSpec spec() {
        return spec;
    }

    /** TransformerLens name → reader, in a stable order; each read checks the checkpoint tensor's shape. */
    public Map<String, WeightMapping.TensorReader> weights() {
        return weights;
    }

    /** The tokenizer, or null when the directory has no {@code tokenizer.json}. */
    public Tokenizer loadTokenizer() {
        if (tokenizerFile == null) {
            return null;
        }
        HfTokenizer t = HfTokenizer.load(tokenizerFile);
        if (t.vocabSize() > spec.dVocab()) {
            t.close();
            throw new LoupeException(tokenizerFile + ": token ids reach " + (t.vocabSize() - 1) + " but the embedding has "
                    + spec.dVocab() + " rows (vocab_size): the tokenizer belongs to another model");
        }
        return t;
    }

    @Override
    public void close() {
        tensors.close();
    }
}
