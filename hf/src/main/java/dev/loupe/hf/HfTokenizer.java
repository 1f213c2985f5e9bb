package dev.loupe.hf;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;
import dev.loupe.io.JsonLimits;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        ObjectMapper json = LoupeJson.mapper();
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new LoupeException(tokenizerJson + ": not a regular file (expected a tokenizer.json)");
        }
        TokenizerVocab read;
        try {
            read = TokenizerVocab.read(tokenizerJson, json.readTree(JsonLimits.check(tokenizerJson, JsonLimits.TOKENIZER).toFile()));
        } catch (IOException e) {
            throw new LoupeException(tokenizerJson + ": not valid JSON (" + firstLine(e) + ")");
        }
        Map<String, Integer> vocab = read.ids();
        String[] tokens = read.tokens();
        Path configFile = tokenizerJson.resolveSibling("tokenizer_config.json");
        OptionalInt bos = OptionalInt.empty();
        OptionalInt eos = OptionalInt.empty();
        if (Files.isRegularFile(configFile)) {
            try {
                JsonNode cfg = json.readTree(JsonLimits.check(configFile, JsonLimits.CONFIG).toFile());
                bos = idOf(vocab, cfg.get("bos_token"));
                eos = idOf(vocab, cfg.get("eos_token"));
            } catch (IOException e) {
                throw new LoupeException(configFile + ": not valid JSON (" + firstLine(e) + ")");
            }
        }
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson)
                    .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build();
            return new HfTokenizer(t, tokens, bos, eos);
        } catch (IOException | RuntimeException e) {
            throw new LoupeException(tokenizerJson + ": the tokenizer library rejected it (" + firstLine(e) + ")");
        }
    }

    private static String firstLine(Exception e) {
        String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                : String.valueOf(e.getMessage());
        return m.lines().findFirst().orElse("");
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
