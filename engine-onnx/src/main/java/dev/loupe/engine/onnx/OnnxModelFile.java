package dev.loupe.engine.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest.LogitsMode;
import dev.loupe.api.Tensor;
import dev.loupe.api.WeightNames;
import dev.loupe.api.io.AtomicFiles;
import dev.loupe.engine.onnx.GraphBuilder.Elem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loupe's ONNX file: the forward pass of {@link TransformerGraph} with every hook point also a graph output, the
 * weights as initializers under TransformerLens names (embedded, or for large models in a {@code .data} file
 * beside it as ONNX external data), and the {@link ModelSpec} as JSON in the metadata entry {@value #SPEC_KEY}, so
 * the file is enough to load the model again.
 */
final class OnnxModelFile {
    static final String SPEC_KEY = "loupe.model_spec";
    static final String FORMAT_KEY = "loupe.format";
    static final String FORMAT = "loupe-onnx/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnnxModelFile() {}

    /** A model read back: its spec and its weights by TransformerLens name. */
    record Contents(ModelSpec spec, Map<String, Tensor> weights) {}

    /** Beyond this many bytes of weights a file keeps them in a {@code .data} file beside it (protobuf stops at 2 GB). */
    static final long EMBED_LIMIT = 1L << 30;

    /**
     * Writes the exported graph to {@code file}; the weights are embedded, or (over {@code embedLimit} bytes) written
     * as external data to {@code file.RUN.data} beside it, a name no earlier export used. Both files go through a
     * temporary sibling, the graph (which names its data file) last; then the data files of earlier exports to the
     * same name are deleted. An interrupted export leaves the previous one complete.
     */
    static void write(ModelSpec spec, Map<String, Tensor> weights, Path file, long embedLimit) {
        GraphBuilder g = new GraphBuilder("loupe_" + spec.architecture());
        long bytes = weights.values().stream().mapToLong(t -> (long) t.numel() * Float.BYTES).sum();
        String dataName = null;
        if (bytes <= embedLimit) {
            weights.forEach(g::initializer);
        } else {
            dataName = file.getFileName() + "." + AtomicFiles.newRunId() + ".data";
            Map<String, Long> offsets = new LinkedHashMap<>();
            String data = dataName;
            AtomicFiles.write(file.resolveSibling(data), tmp -> {
                Files.delete(tmp);
                offsets.putAll(ExternalData.write(weights, tmp));
            });
            offsets.forEach((name, offset) -> g.externalInitializer(name, weights.get(name).shape(), data, offset));
        }
        TransformerGraph.write(spec, weights, g, TransformerGraph.HookEdits.NONE, LogitsMode.ALL);
        for (HookPoint h : spec.hookPoints()) {
            g.output(h.name(), Elem.FLOAT, InterventionGraph.rank(h));
        }
        byte[] model;
        try {
            model = g.model(Map.of(SPEC_KEY, JSON.writeValueAsString(spec), FORMAT_KEY, FORMAT)).toByteArray();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a ModelSpec always serialises", e);
        }
        AtomicFiles.write(file, tmp -> Files.write(tmp, model));
        removeOtherData(file, dataName);
    }

    /** Deletes {@code NAME.data} and {@code NAME.*.data} beside {@code file} except {@code kept}. */
    private static void removeOtherData(Path file, String kept) {
        String name = file.getFileName().toString();
        try (var siblings = Files.newDirectoryStream(file.toAbsolutePath().getParent(), name + "*.data")) {
            for (Path p : siblings) {
                String n = p.getFileName().toString();
                if (!n.equals(kept) && n.matches(java.util.regex.Pattern.quote(name) + "(\\.[0-9a-f]+)?\\.data")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (java.io.IOException e) {
            throw new dev.loupe.api.LoupeException(file + ": cannot remove an earlier export's data (" + e.getMessage()
                    + ")");
        }
    }

    static Contents read(Path file) {
        ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            model = ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new LoupeException(file + ": not a readable ONNX model (" + e.getMessage() + ")");
        }
        String json = model.getMetadataPropsList().stream().filter(p -> p.getKey().equals(SPEC_KEY))
                .map(StringStringEntryProto::getValue).findFirst()
                .orElseThrow(() -> new LoupeException(file + ": metadata '" + SPEC_KEY + "' missing; engine '"
                        + OnnxEngine.NAME + "' loads ONNX files written by 'loupe export-onnx'"));
        ModelSpec spec;
        try {
            spec = JSON.readValue(json, ModelSpec.class);
        } catch (IOException e) {
            throw new LoupeException(file + ": metadata '" + SPEC_KEY + "' is not a model spec: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        Set<String> names = Set.copyOf(WeightNames.all(spec));
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (names.contains(t.getName())) {
                weights.put(t.getName(), tensor(file, t));
            }
        }
        return new Contents(spec, weights);
    }

    private static Tensor tensor(Path file, TensorProto t) {
        if (t.getDataType() != Elem.FLOAT.code) {
            throw new LoupeException(file + ": initializer '" + t.getName() + "' has ONNX data type "
                    + t.getDataType() + ", expected 1 (float32)");
        }
        int[] shape = t.getDimsList().stream().mapToInt(Long::intValue).toArray();
        List<Float> listed = t.getFloatDataList();
        float[] data;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            data = ExternalData.read(file, t);
        } else if (!listed.isEmpty()) {
            data = new float[listed.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = listed.get(i);
            }
        } else {
            FloatBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            data = new float[raw.remaining()];
            raw.get(data);
        }
        return Tensor.adopt(data, shape);
    }
}
