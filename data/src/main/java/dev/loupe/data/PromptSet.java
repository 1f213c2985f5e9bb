package dev.loupe.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.api.io.JsonLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Prompts for steering and evaluation, one JSON object a line: {@code prompt} (required), {@code promote} and
 * {@code suppress} (a completion or a list of them, optional) and {@code label} (optional: a string, an integer
 * or a boolean, as HF datasets store class labels; kept as its text). Any other key, a value
 * of another type, and an empty file are one-line errors naming file and line.
 */
public final class PromptSet {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("prompt", "promote", "suppress", "label");

    /** One line of the set. */
    public record Example(String prompt, List<String> promote, List<String> suppress, String label) {
        public Example {
            promote = List.copyOf(promote);
            suppress = List.copyOf(suppress);
        }
    }

    private PromptSet() {}

    public static List<Example> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(JsonLimits.check(file, JsonLimits.CONFIG), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot read as UTF-8 text (" + e.getMessage() + ")");
        }
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                out.add(example(file + ":" + (i + 1), lines.get(i)));
            }
        }
        if (out.isEmpty()) {
            throw new LoupeException(file + ": no prompts (expected one JSON object a line with a 'prompt')");
        }
        return out;
    }

    private static Example example(String where, String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            n = null;
        }
        if (n == null || !n.isObject()) {
            throw new LoupeException(where + ": not a JSON object");
        }
        for (Iterator<String> keys = n.fieldNames(); keys.hasNext(); ) {
            String k = keys.next();
            if (!KEYS.contains(k)) {
                throw new LoupeException(where + ": field '" + k + "' is not one of " + KEYS);
            }
        }
        JsonNode prompt = n.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw new LoupeException(where + ": field 'prompt' " + (prompt == null ? "missing" : "is not a string"));
        }
        JsonNode label = n.get("label");
        if (label != null && !label.isTextual() && !label.isIntegralNumber() && !label.isBoolean()) {
            throw new LoupeException(where + ": field 'label' is " + label + " (expected a string, an integer or a "
                    + "boolean)");
        }
        return new Example(prompt.asText(), texts(where, n, "promote"), texts(where, n, "suppress"),
                label == null ? null : label.asText());
    }

    private static List<String> texts(String where, JsonNode n, String field) {
        JsonNode v = n.get(field);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.isTextual()) {
            out.add(v.asText());
            return out;
        }
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw new LoupeException(where + ": field '" + field + "' holds " + e + " (expected strings)");
                }
                out.add(e.asText());
            }
            return out;
        }
        throw new LoupeException(where + ": field '" + field + "' is " + v + " (expected a string or a list of them)");
    }
}
