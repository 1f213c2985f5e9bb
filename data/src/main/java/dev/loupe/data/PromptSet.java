package dev.loupe.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.io.JsonLimits;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Prompts for steering and evaluation, one JSON object a line: {@code prompt} (text) or {@code messages} (a chat:
 * a list of {@code {role, content}}, rendered by the model's chat template), exactly one of them; {@code promote} and
 * {@code suppress} (a completion or a list of them, optional) and {@code label} (optional: a string, an integer
 * or a boolean, as HF datasets store class labels; kept as its text). Any other key, a value
 * of another type, and an empty file are one-line errors naming file and line.
 */
public final class PromptSet {
    private static final ObjectMapper JSON = LoupeJson.mapper();
    private static final Set<String> KEYS = Set.of("prompt", "messages", "promote", "suppress", "label");

    /** One chat message. */
    public record Turn(String role, String content) {}

    /**
     * One line of the set; {@code prompt} is null when the line gives {@code messages} (then non-empty), and
     * {@code messages} empty when it gives a prompt.
     */
    public record Example(String prompt, List<Turn> messages, List<String> promote, List<String> suppress,
                          String label) {
        public Example {
            messages = List.copyOf(messages);
            promote = List.copyOf(promote);
            suppress = List.copyOf(suppress);
        }

        /** A text prompt. */
        public Example(String prompt, List<String> promote, List<String> suppress, String label) {
            this(prompt, List.of(), promote, suppress, label);
        }

        /** How errors and reports name it: the prompt, or the last message's content. */
        public String text() {
            return prompt != null ? prompt : messages.get(messages.size() - 1).content();
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

    /** As {@link #read}, for a command that takes text prompts only: a line with {@code messages} is refused. */
    public static List<Example> readText(Path file, String command) {
        List<Example> set = read(file);
        for (int i = 0; i < set.size(); i++) {
            if (set.get(i).prompt() == null) {
                throw new LoupeException(file + ": prompt " + (i + 1) + " gives 'messages', which " + command
                        + " does not render (give 'prompt')");
            }
        }
        return set;
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
        JsonNode messages = n.get("messages");
        if (prompt != null && messages != null) {
            throw new LoupeException(where + ": both 'prompt' and 'messages' (give one)");
        }
        if (messages != null) {
            List<Turn> turns = turns(where, messages);
            JsonNode label = n.get("label");
            checkLabel(where, label);
            return new Example(null, turns, texts(where, n, "promote"), texts(where, n, "suppress"),
                    label == null ? null : label.asText());
        }
        if (prompt == null || !prompt.isTextual()) {
            throw new LoupeException(where + ": field 'prompt' " + (prompt == null ? "missing (or give 'messages')"
                    : "is not a string"));
        }
        JsonNode label = n.get("label");
        checkLabel(where, label);
        return new Example(prompt.asText(), texts(where, n, "promote"), texts(where, n, "suppress"),
                label == null ? null : label.asText());
    }

    private static void checkLabel(String where, JsonNode label) {
        if (label != null && !label.isTextual() && !label.isIntegralNumber() && !label.isBoolean()) {
            throw new LoupeException(where + ": field 'label' is " + label + " (expected a string, an integer or a "
                    + "boolean)");
        }
    }

    private static List<Turn> turns(String where, JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw new LoupeException(where + ": field 'messages' is " + messages + " (expected a non-empty list of "
                    + "{\"role\": ..., \"content\": ...})");
        }
        List<Turn> out = new ArrayList<>();
        for (JsonNode m : messages) {
            if (!m.isObject() || m.size() != 2 || !m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw new LoupeException(where + ": message " + (out.size() + 1) + " is " + m + " (expected "
                        + "{\"role\": string, \"content\": string})");
            }
            out.add(new Turn(m.get("role").asText(), m.get("content").asText()));
        }
        return out;
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
