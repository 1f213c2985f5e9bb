package dev.loupe.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.io.JsonLimits;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Hugging Face {@code config.json}, with look-ups that accept several spellings of a key (dotted paths for nested
 * objects) and fail with one line naming the file and the field.
 */
public final class HfConfig {
    private static final ObjectMapper JSON = LoupeJson.mapper();
    private final Path file;
    private final JsonNode root;
    private final Set<String> looked = new HashSet<>();

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
            JsonNode root = JSON.readTree(JsonLimits.check(file, JsonLimits.CONFIG).toFile());
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
            looked.add(key.split("\\.")[0]);
        }
        JsonNode found = null;
        String foundKey = null;
        for (String key : keys) {
            JsonNode n = peek(key);
            if (n == null) {
                continue;
            }
            if (found == null) {
                found = n;
                foundKey = key;
            } else if (!same(found, n)) {
                throw error(foundKey, "is " + found + " but its other spelling '" + key + "' is " + n
                        + " (remove one, or make them agree)");
            }
        }
        return found;
    }

    private static boolean same(JsonNode a, JsonNode b) {
        return a.isNumber() && b.isNumber() ? a.doubleValue() == b.doubleValue() : a.equals(b);
    }

    /** The value at {@code key} (a dotted path), or null when absent or null, WITHOUT marking it as read. */
    JsonNode peek(String key) {
        JsonNode n = root;
        for (String part : key.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n == null || n.isNull() ? null : n;
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

    /** Whether {@code key} is present with the value null (which HF keeps as None, not as the default). */
    public boolean isNull(String key) {
        looked.add(key.split("\\.")[0]);
        return root.has(key) && root.get(key).isNull();
    }

    /** Whether any of the keys is present and not null. */
    public boolean has(String... keys) {
        return find(keys) != null;
    }

    /** The raw value at {@code key} (a dotted path), or null when absent or null; marks the key as read. */
    public JsonNode node(String key) {
        return find(key);
    }

    /**
     * Refuses each field whose value differs from the only one Loupe computes (HF's default): a field that is
     * absent or null takes the default. Marks each field as read.
     */
    public void requireDefaults(Map<String, Object> fixed) {
        for (Map.Entry<String, Object> e : fixed.entrySet()) {
            JsonNode n = find(e.getKey());
            if (n == null) {
                continue;
            }
            JsonNode expected = JSON.valueToTree(e.getValue());
            boolean same = n.isNumber() && expected.isNumber() ? n.doubleValue() == expected.doubleValue()
                    : n.equals(expected) || (n.isContainerNode() && n.isEmpty() && expected.isNull());
            if (!same) {
                throw error(e.getKey(), "is " + n + ", which Loupe does not implement (it computes only "
                        + expected + ")");
            }
        }
    }

    /**
     * Refuses the first top-level field that nothing read, that is not null or empty, and that {@code harmless}
     * does not name: a field Loupe does not know could change the forward pass.
     */
    public void requireAllRead(Set<String> harmless, String family) {
        Set<String> unread = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!looked.contains(e.getKey()) && !harmless.contains(e.getKey()) && !v.isNull()
                    && !(v.isContainerNode() && v.isEmpty())) {
                unread.add(e.getKey());
            }
        }
        if (!unread.isEmpty()) {
            String first = unread.iterator().next();
            throw error(first, "is not read by Loupe's " + family + " adapter, so Loupe cannot tell whether it "
                    + "changes the forward pass (unread fields: " + String.join(", ", unread) + ")");
        }
    }

    /** A one-line error about {@code field}. */
    public LoupeException error(String field, String problem) {
        return new LoupeException(file + ": field '" + field + "' " + problem);
    }
}
