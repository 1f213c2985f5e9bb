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
 * weights as initializers under TransformerLens names, and the {@link ModelSpec} as JSON in the metadata entry
 * {@value #SPEC_KEY}, so the file alone is enough to load the model again.
 */
final class OnnxModelFile {
    static final String SPEC_KEY = "loupe.model_spec";
    static final String FORMAT_KEY = "loupe.format";
    static final String FORMAT = "loupe-onnx/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private OnnxModelFile() {}

    /** A model read back: its spec and its weights by TransformerLens name. */
    record Contents(ModelSpec spec, Map<String, Tensor> weights) {}

    /** The exported graph, as bytes. */
    static byte[] bytes(ModelSpec spec, Map<String, Tensor> weights) {
        GraphBuilder g = new GraphBuilder("loupe_" + spec.architecture());
        weights.forEach(g::initializer);
        TransformerGraph.write(spec, weights, g, TransformerGraph.HookEdits.NONE, LogitsMode.ALL);
        for (HookPoint h : spec.hookPoints()) {
            g.output(h.name(), Elem.FLOAT, InterventionGraph.rank(h));
        }
        try {
            return g.model(Map.of(SPEC_KEY, JSON.writeValueAsString(spec), FORMAT_KEY, FORMAT)).toByteArray();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a ModelSpec always serialises", e);
        }
    }

    static void write(ModelSpec spec, Map<String, Tensor> weights, Path file) {
        byte[] bytes = bytes(spec, weights);
        AtomicFiles.write(file, tmp -> Files.write(tmp, bytes));
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
        if (!listed.isEmpty()) {
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
