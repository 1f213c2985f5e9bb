package dev.loupe.hf.arch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.RopeScaling;
import dev.loupe.hf.HfConfig;
import java.util.Iterator;
import java.util.Set;

/**
 * Rotary settings in both spellings: transformers 4's top-level {@code rope_theta} with {@code rope_scaling}, and
 * transformers 5's {@code rope_parameters} (one object, or one per layer type as in Gemma 3). {@code default},
 * {@code linear} and {@code llama3} are computed; any other {@code rope_type}, and any key of the object this does
 * not read, is refused by name.
 */
final class RopeConfig {
    /** One layer type's rotary base and scaling. */
    record Rope(double base, RopeScaling scaling) {}

    private static final Set<String> KEYS = Set.of("rope_type", "type", "rope_theta", "factor", "low_freq_factor",
            "high_freq_factor", "original_max_position_embeddings", "partial_rotary_factor");

    private RopeConfig() {}

    /** The rotary settings of global-attention layers. */
    static Rope global(HfConfig c, double defaultBase) {
        JsonNode params = object(c, "rope_parameters");
        object(c, "rope_scaling");
        String where = "rope_parameters";
        if (params != null && params.has("full_attention")) {
            params = params.get("full_attention");
            where = "rope_parameters.full_attention";
        }
        JsonNode legacy = c.node("rope_scaling");
        double base = c.number(defaultBase, "rope_theta");
        if (params != null && params.has("rope_theta")) {
            base = params.get("rope_theta").asDouble();
        }
        JsonNode scaling = params != null && (params.has("rope_type") || params.has("type")) ? params : legacy;
        return new Rope(base, scaling(c, scaling, params != null && scaling == params ? where : "rope_scaling"));
    }

    /** The rotary settings of sliding-window layers (Gemma 3: {@code rope_local_base_freq}). */
    static Rope local(HfConfig c, double defaultBase) {
        JsonNode params = object(c, "rope_parameters");
        if (params != null && params.has("sliding_attention")) {
            JsonNode p = params.get("sliding_attention");
            return new Rope(p.path("rope_theta").asDouble(defaultBase), scaling(c, p, "rope_parameters.sliding_attention"));
        }
        return new Rope(c.number(defaultBase, "rope_local_base_freq"), RopeScaling.NONE);
    }

    /** {@code partial_rotary_factor} from {@code rope_parameters} or the top level, else {@code fallback}. */
    static double partialFactor(HfConfig c, double fallback, String... legacyKeys) {
        String[] keys = new String[legacyKeys.length + 2];
        keys[0] = "rope_parameters.partial_rotary_factor";
        keys[1] = "partial_rotary_factor";
        System.arraycopy(legacyKeys, 0, keys, 2, legacyKeys.length);
        double f = c.number(fallback, keys);
        if (!(f > 0 && f <= 1)) {
            throw c.error(keys[0], "is " + f + " (expected a fraction in (0, 1])");
        }
        return f;
    }

    /** The object at {@code key}, or null when absent; anything else is refused by name. */
    private static JsonNode object(HfConfig c, String key) {
        JsonNode n = c.node(key);
        if (n != null && !n.isObject()) {
            throw c.error(key, "is " + n + " (expected an object of rotary settings, or null)");
        }
        return n;
    }

    private static RopeScaling scaling(HfConfig c, JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return RopeScaling.NONE;
        }
        if (!node.isObject()) {
            throw c.error(where, "is " + node + " (expected an object of rotary settings, or null)");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw c.error(where + "." + key, "is not a rotary setting Loupe reads (it reads " + KEYS + ")");
            }
        }
        String type = node.has("rope_type") ? node.get("rope_type").asText() : node.path("type").asText("default");
        try {
            return switch (type) {
                case "default" -> RopeScaling.NONE;
                case "linear" -> RopeScaling.linear(node.path("factor").asDouble());
                case "llama3" -> RopeScaling.llama3(node.path("factor").asDouble(),
                        node.path("low_freq_factor").asDouble(), node.path("high_freq_factor").asDouble(),
                        node.path("original_max_position_embeddings").asInt());
                default -> throw c.error(where + ".rope_type", "is '" + type
                        + "', which Loupe does not implement (it computes default, linear and llama3)");
            };
        } catch (dev.loupe.api.LoupeException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw c.error(where, e.getMessage());
        }
    }
}
