package dev.loupe.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.api.generation.Sampling;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A checkpoint's {@code generation_config.json} as Hugging Face's {@code generate} reads it: the EOS ids that end a
 * sequence (an int or a list; else {@code config.json}'s {@code eos_token_id}), and the decoding defaults
 * ({@code do_sample}, {@code temperature}, {@code top_k}, {@code top_p}, {@code repetition_penalty},
 * {@code max_new_tokens}). Keys that change no token (ids of BOS/padding, versions, cache layout) are read and
 * have no effect; any other key is refused by name, so no setting of the checkpoint is silently dropped.
 *
 * @param eosIds       token ids that stop a sequence (may be empty)
 * @param sampling     the checkpoint's decoding rule: greedy unless {@code do_sample} is true (HF's defaults
 *                     temperature 1, top-k 50, top-p 1 then apply, as in {@code GenerationConfig})
 * @param maxNewTokens {@code max_new_tokens}, when set
 * @param maxLength    {@code max_length} (prompt and new tokens together), when set; HF lets
 *                     {@code max_new_tokens} win over it
 */
public record GenerationConfig(List<Integer> eosIds, Sampling sampling, OptionalInt maxNewTokens,
                               OptionalInt maxLength) {
    private static final ObjectMapper JSON = LoupeJson.mapper();
    private static final Set<String> NO_EFFECT = Set.of("bos_token_id", "pad_token_id", "decoder_start_token_id",
            "transformers_version", "_from_model_config", "cache_implementation", "use_cache", "return_dict_in_generate",
            "output_attentions", "output_hidden_states", "output_scores");
    private static final Set<String> READ = Set.of("eos_token_id", "do_sample", "temperature", "top_k", "top_p",
            "repetition_penalty", "max_new_tokens", "max_length", "num_return_sequences");

    /** What a checkpoint without {@code generation_config.json} generates with: greedy, EOS from config.json. */
    public static GenerationConfig read(Path modelDir, long seed) {
        Path file = modelDir.resolve("generation_config.json");
        List<Integer> configEos = eos(tree(modelDir.resolve("config.json")), modelDir.resolve("config.json"));
        if (!Files.isRegularFile(file)) {
            return new GenerationConfig(configEos, Sampling.greedy(), OptionalInt.empty(), OptionalInt.empty());
        }
        JsonNode g = tree(file);
        for (Iterator<Map.Entry<String, JsonNode>> it = g.fields(); it.hasNext(); ) {
            String key = it.next().getKey();
            if (!READ.contains(key) && !NO_EFFECT.contains(key)) {
                throw new LoupeException(file + ": field '" + key + "' is not supported by loupe generate; "
                        + "remove it or pass --no-generation-config");
            }
        }
        if (integer(g, "num_return_sequences", file).orElse(1) != 1) {
            throw new LoupeException(file + ": field 'num_return_sequences' is " + g.get("num_return_sequences")
                    + "; loupe generate returns one sequence a prompt (pass the prompt again for more)");
        }
        List<Integer> ids = g.has("eos_token_id") ? eos(g, file) : configEos;
        double penalty = number(g, "repetition_penalty", 1.0, file);
        boolean sample = bool(g, "do_sample", file);
        double temperature = number(g, "temperature", 1.0, file);
        int topK = integer(g, "top_k", file).orElse(50);
        double topP = number(g, "top_p", 1.0, file);
        Sampling s;
        try {
            s = sample ? new Sampling(temperature, topK, topP, penalty, seed) : new Sampling(0, 0, 1, penalty, seed);
        } catch (LoupeException e) {
            throw new LoupeException(file + ": " + e.getMessage());
        }
        return new GenerationConfig(ids, s, integer(g, "max_new_tokens", file), integer(g, "max_length", file));
    }

    /**
     * New tokens to generate when the user gave no count: {@code max_new_tokens}, else what {@code max_length}
     * leaves after the longest prompt, else {@code fallback}.
     */
    public int newTokens(int longestPrompt, int fallback) {
        if (maxNewTokens.isPresent()) {
            return maxNewTokens.getAsInt();
        }
        if (maxLength.isPresent()) {
            int left = maxLength.getAsInt() - longestPrompt;
            if (left <= 0) {
                throw new LoupeException("generation_config.json: max_length " + maxLength.getAsInt()
                        + " leaves no room after a prompt of " + longestPrompt + " tokens; pass --max-tokens");
            }
            return left;
        }
        return fallback;
    }

    private static boolean bool(JsonNode g, String key, Path file) {
        JsonNode v = g.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new LoupeException(file + ": field '" + key + "' is " + v + ", expected true or false");
        }
        return v.booleanValue();
    }

    private static double number(JsonNode g, String key, double absent, Path file) {
        JsonNode v = g.get(key);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isNumber()) {
            throw new LoupeException(file + ": field '" + key + "' is " + v + ", expected a number");
        }
        return v.doubleValue();
    }

    private static OptionalInt integer(JsonNode g, String key, Path file) {
        JsonNode v = g.get(key);
        if (v == null || v.isNull()) {
            return OptionalInt.empty();
        }
        if (!v.isInt() || v.intValue() < 0) {
            throw new LoupeException(file + ": field '" + key + "' is " + v + ", expected a whole number >= 0");
        }
        return OptionalInt.of(v.intValue());
    }

    private static List<Integer> eos(JsonNode node, Path file) {
        JsonNode e = node.get("eos_token_id");
        List<Integer> out = new ArrayList<>();
        if (e == null || e.isNull()) {
            return out;
        }
        if (e.isInt()) {
            out.add(e.asInt());
        } else if (e.isArray()) {
            e.forEach(x -> {
                if (!x.isInt()) {
                    throw new LoupeException(file + ": field 'eos_token_id' holds " + x + ", expected token ids");
                }
                out.add(x.asInt());
            });
        } else {
            throw new LoupeException(file + ": field 'eos_token_id' is " + e + ", expected an id or a list of ids");
        }
        return out;
    }

    private static JsonNode tree(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new LoupeException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}
