package dev.loupe.data;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.loupe.json.LoupeJson;

/**
 * A Jackson mapper that binds Loupe's own JSON formats to records exactly: every creator property present, none
 * unknown, no null for a number or flag, no number from a string or fraction, no string from a number or flag, no
 * enum from a number, no duplicate keys, nothing after the value. Callers fill documented defaults into the tree
 * first ({@code treeToValue}).
 */
public final class StrictJson {
    private static final ObjectMapper MAPPER = LoupeJson.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                    DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
                    DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT).disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, t -> t.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private StrictJson() {}

    /** The shared strict mapper (thread-safe, as every configured Jackson mapper). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
