package dev.loupe.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face {@code config.json}, with look-ups that accept several spellings of a key (dotted paths for nested
 * objects) and fail with one line naming the file and the field.
 */
public final class HfConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final JsonNode root;

    HfConfig(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    public static HfConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LoupeException(file.getParent() + ": no config.json (expected a Hugging Face model directory "
                    + "with config.json, model.safetensors and tokenizer.json)");
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new LoupeException(file + ": expected a JSON object");
            }
            return new HfConfig(file, root);
        } catch (JsonProcessingException e) {
            throw new LoupeException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public Path file() {
        return file;
    }

    public String modelType() {
        return string(null, "model_type");
    }

    private JsonNode find(String... keys) {
        for (String key : keys) {
            JsonNode n = root;
            for (String part : key.split("\\.")) {
                n = n == null ? null : n.get(part);
            }
            if (n != null && !n.isNull()) {
                return n;
            }
        }
        return null;
    }

    /** The first present key as an int; a one-line error if none is present or it is not an integer. */
    public int requireInt(String... keys) {
        JsonNode n = find(keys);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new LoupeException(file + ": field '" + keys[0] + "' " + (n == null ? "missing" : "is " + n)
                    + " (expected an integer)");
        }
        return n.intValue();
    }

    public int integer(int fallback, String... keys) {
        return find(keys) == null ? fallback : requireInt(keys);
    }

    public double number(double fallback, String... keys) {
        JsonNode n = find(keys);
        if (n == null) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new LoupeException(file + ": field '" + keys[0] + "' is " + n + " (expected a number)");
        }
        return n.doubleValue();
    }

    public boolean bool(boolean fallback, String... keys) {
        JsonNode n = find(keys);
        if (n == null) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new LoupeException(file + ": field '" + keys[0] + "' is " + n + " (expected true or false)");
        }
        return n.booleanValue();
    }

    public String string(String fallback, String... keys) {
        JsonNode n = find(keys);
        if (n == null) {
            if (fallback == null) {
                throw new LoupeException(file + ": field '" + keys[0] + "' missing (expected a string)");
            }
            return fallback;
        }
        return n.asText();
    }

    /** Whether any of the keys is present and not null. */
    public boolean has(String... keys) {
        return find(keys) != null;
    }

    /** A one-line error about {@code field}. */
    public LoupeException error(String field, String problem) {
        return new LoupeException(file + ": field '" + field + "' " + problem);
    }
}
