package dev.loupe.engine.onnx;

import dev.loupe.api.Capability;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.hf.CheckedWeights;
import dev.loupe.hf.HfCheckpoint;
import dev.loupe.hf.HfTokenizer;
import dev.loupe.hf.WeightMapping.TensorReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Inference on ONNX Runtime (CPU): a model becomes an ONNX graph in which every hook point is a named tensor;
 * caching adds graph outputs and data interventions become inserted subgraphs fed by extra inputs. Loads Hugging
 * Face directories (exported on the fly) and files written by {@link #export}. No gradients, training or custom
 * (Java) hooks: methods that need them get an error naming engine {@code djl}.
 */
public final class OnnxEngine implements Engine {
    public static final String NAME = "onnx";
    /** The file an exported model directory holds. */
    public static final String MODEL_FILE = "model.onnx";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    /**
     * Loads a Hugging Face checkpoint directory, a directory holding {@value #MODEL_FILE} (and optionally
     * {@code tokenizer.json}), or an exported {@code .onnx} file given directly.
     */
    @Override
    public Model load(ModelSource source, LoadOptions options) {
        if (options.device() != null && !options.device().equalsIgnoreCase("cpu")) {
            throw new LoupeException("engine '" + NAME + "' runs on cpu only; device '" + options.device()
                    + "' needs engine 'djl'");
        }
        return switch (source) {
            case ModelSource.Directory d -> loadPath(d.path(), options.processing());
            case ModelSource.InMemory mem -> new OnnxModel(mem.spec(),
                    checked(mem.spec(), readersOf(mem.weights()), "in-memory weights", options.processing()),
                    mem.tokenizer());
        };
    }

    private static Model loadPath(Path path, LoadOptions.Processing processing) {
        Path file = Files.isDirectory(path) ? path.resolve(MODEL_FILE) : path;
        if (Files.isRegularFile(file) && file.toString().endsWith(".onnx")) {
            OnnxModelFile.Contents c = OnnxModelFile.read(file);
            Path tokenizerFile = file.resolveSibling("tokenizer.json");
            Tokenizer tokenizer = Files.isRegularFile(tokenizerFile) ? HfTokenizer.load(tokenizerFile) : null;
            return new OnnxModel(c.spec(), checked(c.spec(), readersOf(c.weights()), file.toString(), processing),
                    tokenizer);
        }
        try (HfCheckpoint ckpt = HfCheckpoint.open(path)) {
            return new OnnxModel(ckpt.spec(), checked(ckpt.spec(), ckpt.weights(), path.toString(), processing),
                    ckpt.loadTokenizer());
        }
    }

    private static Map<String, TensorReader> readersOf(Map<String, Tensor> weights) {
        Map<String, TensorReader> readers = new LinkedHashMap<>();
        weights.forEach((name, t) -> readers.put(name, () -> t));
        return readers;
    }

    private static Map<String, Tensor> checked(ModelSpec spec, Map<String, TensorReader> source, String origin,
                                               LoadOptions.Processing processing) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        CheckedWeights.read(spec, source, origin, processing, out::put);
        return out;
    }

    /**
     * Writes {@code model} (loaded on any engine) as Loupe's ONNX file, which {@link #load} reads back. Weights over
     * {@value #EXTERNAL_DATA_ABOVE} bytes (default 1 GiB, protobuf's 2 GB limit in mind; 0 for always) go to an ONNX
     * external-data file beside it.
     */
    @Override
    public void export(Model model, Path file) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (String name : model.weights().names()) {
            weights.put(name, model.weights().get(name));
        }
        OnnxModelFile.write(model.spec(), weights, file, embedLimit());
    }

    /** The system property that sets the weight bytes above which an export writes external data. */
    public static final String EXTERNAL_DATA_ABOVE = "loupe.onnx.external-data-above";

    private static long embedLimit() {
        String v = System.getProperty(EXTERNAL_DATA_ABOVE);
        if (v == null) {
            return OnnxModelFile.EMBED_LIMIT;
        }
        try {
            long limit = Long.parseLong(v.trim());
            if (limit >= 0 && limit <= OnnxModelFile.EMBED_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new LoupeException("-D" + EXTERNAL_DATA_ABOVE + "=" + v + ": expected a byte count from 0 to "
                + OnnxModelFile.EMBED_LIMIT);
    }
}
