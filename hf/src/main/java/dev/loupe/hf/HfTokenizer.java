package dev.loupe.hf;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} run by DJL's native tokenizers (no truncation, no special tokens added).
 * The vocabulary is read from the same file so ids can be shown as their token strings.
 */
public final class HfTokenizer implements Tokenizer {
    private final HuggingFaceTokenizer tokenizer;
    private final String[] tokens;
    private final OptionalInt bos;
    private final OptionalInt eos;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, String[] tokens, OptionalInt bos, OptionalInt eos) {
        this.tokenizer = tokenizer;
        this.tokens = tokens;
        this.bos = bos;
        this.eos = eos;
    }

    /** Loads {@code dir/tokenizer.json} (and {@code tokenizer_config.json} for BOS/EOS names, when present). */
    public static HfTokenizer load(Path tokenizerJson) {
        DjlOffline.ensure();
        ObjectMapper json = new ObjectMapper();
        Map<String, Integer> vocab = new HashMap<>();
        try {
            JsonNode root = json.readTree(tokenizerJson.toFile());
            JsonNode v = root.path("model").path("vocab");
            if (v.isObject()) {
                for (Map.Entry<String, JsonNode> e : v.properties()) {
                    vocab.put(e.getKey(), e.getValue().asInt());
                }
            } else if (v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    vocab.put(v.get(i).get(0).asText(), i);
                }
            }
            for (JsonNode t : root.path("added_tokens")) {
                vocab.put(t.path("content").asText(), t.path("id").asInt());
            }
        } catch (IOException e) {
            throw new LoupeException(tokenizerJson + ": not a valid tokenizer.json (" + e.getMessage() + ")");
        }
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        String[] tokens = new String[size];
        vocab.forEach((t, id) -> tokens[id] = t);
        Path configFile = tokenizerJson.resolveSibling("tokenizer_config.json");
        OptionalInt bos = OptionalInt.empty();
        OptionalInt eos = OptionalInt.empty();
        if (Files.isRegularFile(configFile)) {
            try {
                JsonNode cfg = json.readTree(configFile.toFile());
                bos = idOf(vocab, cfg.get("bos_token"));
                eos = idOf(vocab, cfg.get("eos_token"));
            } catch (IOException e) {
                throw new LoupeException(configFile + ": not valid JSON (" + e.getMessage() + ")");
            }
        }
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build();
            return new HfTokenizer(t, tokens, bos, eos);
        } catch (IOException | RuntimeException e) {
            throw new LoupeException(tokenizerJson + ": the tokenizer library rejected it (" + e.getMessage() + ")");
        }
    }

    private static OptionalInt idOf(Map<String, Integer> vocab, JsonNode token) {
        if (token == null || token.isNull()) {
            return OptionalInt.empty();
        }
        String text = token.isObject() ? token.path("content").asText() : token.asText();
        Integer id = vocab.get(text);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public int[] encode(String text) {
        Encoding e = tokenizer.encode(text, false, false);
        long[] ids = e.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= tokens.length) {
                throw new LoupeException("token id " + ids[i] + " is out of range for a vocabulary of " + tokens.length);
            }
            l[i] = ids[i];
        }
        return tokenizer.decode(l, false);
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new LoupeException("token id " + id + " is out of range for a vocabulary of " + tokens.length);
        }
        return tokens[id];
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public OptionalInt bosId() {
        return bos;
    }

    @Override
    public OptionalInt eosId() {
        return eos;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
