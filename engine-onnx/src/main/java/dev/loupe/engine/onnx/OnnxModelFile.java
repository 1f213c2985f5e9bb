package dev.loupe.engine.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.ArchitectureFeatures;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest.LogitsMode;
import dev.loupe.api.Tensor;
import dev.loupe.api.WeightNames;
import dev.loupe.io.AtomicFiles;
import dev.loupe.data.StrictJson;
import dev.loupe.engine.onnx.GraphBuilder.Elem;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
    private static final ObjectMapper JSON = LoupeJson.mapper();

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

    /**
     * Deletes {@code NAME.data} and {@code NAME.*.data} beside {@code file} except {@code kept}, and the temporaries
     * killed exports left for them.
     */
    private static void removeOtherData(Path file, String kept) {
        String name = file.getFileName().toString();
        java.util.regex.Pattern data = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(name)
                + "(\\.[0-9a-f]+)?\\.data");
        try {
            AtomicFiles.removeStaleTemporaries(file.toAbsolutePath().getParent(), n -> data.matcher(n).matches());
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot remove a killed export's temporaries ("
                    + e.getMessage() + ")");
        }
        try (var siblings = Files.newDirectoryStream(file.toAbsolutePath().getParent(), name + "*.data")) {
            for (Path p : siblings) {
                String n = p.getFileName().toString();
                if (!n.equals(kept) && data.matcher(n).matches()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot remove an earlier export's data (" + e.getMessage()
                    + ")");
        }
    }

    static Contents read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LoupeException(file + ": not a regular file (expected an .onnx file written by 'loupe "
                    + "export-onnx')");
        }
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
            JsonNode tree = StrictJson.mapper().readTree(json);
            if (!(tree instanceof ObjectNode o)) {
                throw new LoupeException(file + ": metadata '" + SPEC_KEY + "' is not a JSON object");
            }
            spec = StrictJson.mapper().treeToValue(withFeatureDefaults(o), ModelSpec.class);
        } catch (IOException e) {
            throw new LoupeException(file + ": metadata '" + SPEC_KEY + "' is not a model spec: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        Set<String> names = Set.copyOf(WeightNames.all(spec));
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (names.contains(t.getName()) && weights.put(t.getName(), tensor(file, t)) != null) {
                throw new LoupeException(file + ": initializer '" + t.getName() + "' appears twice");
            }
        }
        return new Contents(spec, weights);
    }

    /**
     * A file written before an architecture feature existed has no key for it and does not use it: absent (or null)
     * feature keys, and an absent (or null) {@code features}, take {@link ArchitectureFeatures#NONE}'s values. Every
     * other key of the spec is required.
     */
    private static ObjectNode withFeatureDefaults(ObjectNode spec) {
        ObjectNode none = JSON.valueToTree(ArchitectureFeatures.NONE);
        if (!spec.hasNonNull("features")) {
            spec.set("features", none);
        } else if (spec.get("features") instanceof ObjectNode f) {
            none.fields().forEachRemaining(e -> {
                if (!f.hasNonNull(e.getKey())) {
                    f.set(e.getKey(), e.getValue());
                }
            });
        }
        return spec;
    }

    private static Tensor tensor(Path file, TensorProto t) {
        if (t.getDataType() != Elem.FLOAT.code) {
            throw new LoupeException(file + ": initializer '" + t.getName() + "' has ONNX data type "
                    + t.getDataType() + ", expected 1 (float32)");
        }
        int[] shape = shape(file, t);
        int numel = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        List<Float> listed = t.getFloatDataList();
        float[] data;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            data = ExternalData.read(file, t, numel);
        } else if (!listed.isEmpty()) {
            data = new float[listed.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = listed.get(i);
            }
        } else {
            if (t.getRawData().size() % Float.BYTES != 0) {
                throw new LoupeException(file + ": initializer '" + t.getName() + "' has " + t.getRawData().size()
                        + " bytes of raw data, not a whole number of float32 values");
            }
            FloatBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            data = new float[raw.remaining()];
            raw.get(data);
        }
        if (data.length != numel) {
            throw new LoupeException(file + ": initializer '" + t.getName() + "' has " + data.length
                    + " values for dims " + t.getDimsList() + " (" + numel + ")");
        }
        return Tensor.adopt(data, shape);
    }

    /** The initializer's dims, each and their product below 2^31. */
    private static int[] shape(Path file, TensorProto t) {
        int[] shape = new int[t.getDimsCount()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            numel *= Math.max(d, 1);
            if (d < 0 || d > Integer.MAX_VALUE || numel > Integer.MAX_VALUE) {
                throw new LoupeException(file + ": initializer '" + t.getName() + "' has dims " + t.getDimsList()
                        + " (expected sizes whose product is below 2^31)");
            }
            shape[i] = (int) d;
        }
        return shape;
    }
}
