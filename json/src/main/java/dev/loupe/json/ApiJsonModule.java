package dev.loupe.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.loupe.api.HookPoint;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.objective.Objective;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/**
 * The api's values in JSON: a tensor is {@code {"data": [...], "shape": [...]}} (both required, nothing else), a
 * hook point its TransformerLens name, an input normalisation SAELens's name ({@code none},
 * {@code constant_norm_rescale}, {@code layer_norm}), and each sealed family tagged by {@code kind}
 * ({@link ApiMixins}).
 */
public final class ApiJsonModule extends SimpleModule {
    public ApiJsonModule() {
        super("loupe-api");
        setMixInAnnotation(HookPoint.class, ApiMixins.HookPointMixin.class);
        setMixInAnnotation(Positions.class, ApiMixins.PositionsMixin.class);
        setMixInAnnotation(Intervention.class, ApiMixins.InterventionMixin.class);
        setMixInAnnotation(SparseActivation.class, ApiMixins.SparseActivationMixin.class);
        setMixInAnnotation(SpliceFunction.class, ApiMixins.SpliceFunctionMixin.class);
        setMixInAnnotation(SpliceFunction.SparseMlp.class, ApiMixins.SparseMlpMixin.class);
        setMixInAnnotation(Objective.class, ApiMixins.ObjectiveMixin.class);
        addSerializer(Tensor.class, new TensorSerializer());
        addDeserializer(Tensor.class, new TensorDeserializer());
        addSerializer(InputNormalization.class, new NormalizationSerializer());
        addDeserializer(InputNormalization.class, new NormalizationDeserializer());
    }

    static String jsonName(InputNormalization n) {
        return n.name().toLowerCase(Locale.ROOT);
    }

    private static final class TensorSerializer extends StdSerializer<Tensor> {
        TensorSerializer() {
            super(Tensor.class);
        }

        @Override
        public void serialize(Tensor t, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            provider.defaultSerializeField("data", t.toArray(), gen);
            provider.defaultSerializeField("shape", t.shape(), gen);
            gen.writeEndObject();
        }
    }

    private static final class TensorDeserializer extends StdDeserializer<Tensor> {
        TensorDeserializer() {
            super(Tensor.class);
        }

        @Override
        public Tensor deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = ctxt.readTree(p);
            if (!node.isObject()) {
                return (Tensor) ctxt.reportInputMismatch(Tensor.class,
                        "a tensor is an object {\"data\": [...], \"shape\": [...]}, not " + node.getNodeType());
            }
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("data") && !name.equals("shape")) {
                    return (Tensor) ctxt.reportInputMismatch(Tensor.class,
                            "unknown tensor field '" + name + "' (a tensor has data and shape)");
                }
            }
            for (String required : new String[] {"data", "shape"}) {
                if (!node.hasNonNull(required)) {
                    return (Tensor) ctxt.reportInputMismatch(Tensor.class,
                            "a tensor needs '" + required + "' (it has data and shape)");
                }
            }
            float[] data = ctxt.readTreeAsValue(node.get("data"), float[].class);
            int[] shape = ctxt.readTreeAsValue(node.get("shape"), int[].class);
            try {
                return Tensor.of(data, shape);
            } catch (RuntimeException e) {
                return (Tensor) ctxt.reportInputMismatch(Tensor.class, "tensor of shape " + Arrays.toString(shape)
                        + " with " + data.length + " values: " + e.getMessage());
            }
        }
    }

    private static final class NormalizationSerializer extends StdSerializer<InputNormalization> {
        NormalizationSerializer() {
            super(InputNormalization.class);
        }

        @Override
        public void serialize(InputNormalization n, JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            gen.writeString(jsonName(n));
        }
    }

    private static final class NormalizationDeserializer extends StdDeserializer<InputNormalization> {
        NormalizationDeserializer() {
            super(InputNormalization.class);
        }

        @Override
        public InputNormalization deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                return (InputNormalization) ctxt.handleUnexpectedToken(InputNormalization.class, p);
            }
            String text = p.getText();
            for (InputNormalization n : InputNormalization.values()) {
                if (jsonName(n).equals(text)) {
                    return n;
                }
            }
            return (InputNormalization) ctxt.reportInputMismatch(InputNormalization.class, "normalization '" + text
                    + "': expected one of " + Arrays.stream(InputNormalization.values())
                    .map(ApiJsonModule::jsonName).toList());
        }
    }
}
