package dev.loupe.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.LoupeException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The vocabulary of a {@code tokenizer.json}, checked before the native tokenizer sees the file: a known
 * {@code model.type}, a {@code model.vocab} of the JSON type that type uses (token → id object, or Unigram's
 * [token, score] list), {@code added_tokens} with string contents, and every id in [0, 2^24) (far above any
 * vocabulary; ids may leave gaps, as HF allows, and the embedding's size is checked where the model is known).
 */
record TokenizerVocab(Map<String, Integer> ids, String[] tokens) {
    private static final Set<String> MAPPED = Set.of("BPE", "WordPiece", "WordLevel");
    private static final int MAX_ID = 1 << 24;

    static TokenizerVocab read(Path file, JsonNode root) {
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new LoupeException(file + ": expected a JSON object with a 'model' object (a tokenizer.json)");
        }
        JsonNode model = root.get("model");
        String type = model.path("type").asText("");
        JsonNode vocab = model.path("vocab");
        JsonNode added = root.path("added_tokens");
        if (!added.isMissingNode() && !added.isNull() && !added.isArray()) {
            throw new LoupeException(file + ": 'added_tokens' is " + added.getNodeType() + ", expected an array");
        }
        Map<String, Integer> ids = new HashMap<>();
        if (MAPPED.contains(type)) {
            if (!vocab.isObject()) {
                throw new LoupeException(file + ": 'model.vocab' of a " + type + " model is " + vocab.getNodeType()
                        + ", expected an object of token → id");
            }
            for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                ids.put(e.getKey(), id(file, "model.vocab." + e.getKey(), e.getValue()));
            }
        } else if (type.equals("Unigram")) {
            if (!vocab.isArray()) {
                throw new LoupeException(file + ": 'model.vocab' of a Unigram model is " + vocab.getNodeType()
                        + ", expected a list of [token, score]");
            }
            for (int i = 0; i < vocab.size(); i++) {
                JsonNode pair = vocab.get(i);
                if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isNumber()) {
                    throw new LoupeException(file + ": 'model.vocab[" + i + "]' is " + pair + ", expected [token, score]");
                }
                ids.put(pair.get(0).asText(), i);
            }
        } else {
            throw new LoupeException(file + ": 'model.type' is '" + type + "', expected BPE, WordPiece, WordLevel or "
                    + "Unigram");
        }
        for (int i = 0; i < added.size(); i++) {
            JsonNode t = added.get(i);
            if (!t.path("content").isTextual()) {
                throw new LoupeException(file + ": 'added_tokens[" + i + "].content' must be a string");
            }
            ids.put(t.get("content").asText(), id(file, "added_tokens[" + i + "].id", t.path("id")));
        }
        String[] tokens = new String[ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        ids.forEach((t, id) -> tokens[id] = t);
        return new TokenizerVocab(ids, tokens);
    }

    private static int id(Path file, String where, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() >= MAX_ID) {
            throw new LoupeException(file + ": '" + where + "' is " + v + ", expected a token id in [0, " + MAX_ID + ")");
        }
        return v.intValue();
    }
}
