package dev.loupe.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.io.JsonLimits;
import dev.loupe.api.spi.Method;
import dev.loupe.data.StrictJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * A method's config from a JSON file, on top of the method's defaults for the model ({@link Method#defaults}): each
 * field of the file replaces the default (objects field by field; an object whose {@code kind} differs from the
 * default's, another variant, replaces it whole); a field the defaults lack is an error naming it, and so is a
 * field with no default (null) that the file does not give. Bound strictly ({@link StrictJson}): no coercion.
 */
public final class MethodConfigs {
    private static final ObjectMapper JSON = StrictJson.mapper();

    private MethodConfigs() {}

    public static <C> C read(Path file, Method<C> method, ModelSpec spec) {
        JsonNode given;
        try {
            given = JSON.readTree(JsonLimits.check(file, JsonLimits.CONFIG).toFile());
        } catch (IOException e) {
            throw new LoupeException(file + ": not valid JSON (" + firstLine(e) + ")");
        }
        if (!(given instanceof ObjectNode user)) {
            throw new LoupeException(file + ": expected a JSON object (the config of method '" + method.name() + "')");
        }
        return bind(user, file.toString(), method, spec);
    }

    /**
     * A front-end's config: {@code fields} (by the config record's field names) on top of the method's defaults,
     * by the same rules as a file; {@code source} names the front-end in errors.
     */
    public static <C> C of(Map<String, ?> fields, String source, Method<C> method, ModelSpec spec) {
        return bind(JSON.valueToTree(fields), source, method, spec);
    }

    private static <C> C bind(ObjectNode user, String source, Method<C> method, ModelSpec spec) {
        C defaults = method.defaults(spec);
        JsonNode merged = user;
        if (defaults != null) {
            ObjectNode base = JSON.valueToTree(defaults);
            merge(source, base, user, "");
            requireGiven(source, base, "");
            merged = base;
        }
        try {
            return JSON.treeToValue(merged, method.configType());
        } catch (JsonProcessingException e) {
            throw new LoupeException(source + ": not a config of method '" + method.name() + "' (" + firstLine(e)
                    + ")");
        }
    }

    /** The method's defaults for {@code spec} as JSON, or null when it has none. */
    public static JsonNode defaults(Method<?> method, ModelSpec spec) {
        Object d = method.defaults(spec);
        return d == null ? null : JSON.valueToTree(d);
    }

    private static void merge(String file, ObjectNode base, ObjectNode user, String prefix) {
        for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String path = prefix + f.getKey();
            if (!base.has(f.getKey())) {
                throw new LoupeException(file + ": field '" + path + "' is not a field of this config (fields: "
                        + fieldNames(base) + ")");
            }
            JsonNode old = base.get(f.getKey());
            if (old instanceof ObjectNode o && f.getValue() instanceof ObjectNode u && sameKind(o, u)) {
                merge(file, o, u, path + ".");
            } else {
                base.set(f.getKey(), f.getValue());
            }
        }
    }

    private static boolean sameKind(ObjectNode defaults, ObjectNode given) {
        return !given.has("kind") || given.get("kind").equals(defaults.get("kind"));
    }

    private static void requireGiven(String file, ObjectNode merged, String prefix) {
        for (Iterator<Map.Entry<String, JsonNode>> it = merged.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isNull()) {
                throw new LoupeException(file + ": field '" + prefix + f.getKey() + "' missing (it has no default)");
            }
            if (f.getValue() instanceof ObjectNode o) {
                requireGiven(file, o, prefix + f.getKey() + ".");
            }
        }
    }

    private static String fieldNames(ObjectNode o) {
        StringBuilder b = new StringBuilder();
        o.fieldNames().forEachRemaining(n -> b.append(b.length() == 0 ? "" : ", ").append(n));
        return b.toString();
    }

    private static String firstLine(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return String.valueOf(m).lines().findFirst().orElse("");
    }
}
