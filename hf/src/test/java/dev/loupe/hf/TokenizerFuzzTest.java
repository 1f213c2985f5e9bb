package dev.loupe.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of tokenizer.json on a small byte-level BPE: one random edit of a model field, a vocab entry, an
 * added token or a top-level section. Each case must load or fail with one {@link LoupeException} line naming the
 * file once, within 5 s; a loaded tokenizer must encode text to ids inside its vocabulary and decode them.
 * {@code -Dloupe.fuzz.cases=N}, {@code -Dloupe.fuzz.seed=S}.
 */
class TokenizerFuzzTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @TempDir
    Path tmp;

    @Test
    void everyEditLoadsAndEncodesOrIsOneLine() throws IOException {
        Random rnd = new Random(FuzzCampaign.SEED);
        Map<String, Integer> outcomes = new TreeMap<>();
        Path file = tmp.resolve("tokenizer.json");
        for (int c = 0; c < FuzzCampaign.CASES; c++) {
            ObjectNode t = small();
            String edit = mutate(t, rnd);
            EditedCheckpoints.JSON.writeValue(file.toFile(), t);
            String what = "case " + c + " (seed " + FuzzCampaign.SEED + "): " + edit;
            outcomes.merge(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> load(file, what), what), 1,
                    Integer::sum);
        }
        FuzzCampaign.report("tokenizer", outcomes);
        assertEquals(FuzzCampaign.CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
    }

    private static String load(Path file, String what) {
        try (HfTokenizer t = HfTokenizer.load(file)) {
            int[] ids = t.encode("hello world, ab ba!");
            for (int id : ids) {
                assertTrue(id >= 0 && id < t.vocabSize(), what + ": id " + id + " outside " + t.vocabSize());
            }
            t.decode(ids);
            return "accepted";
        } catch (LoupeException e) {
            String m = e.getMessage();
            assertEquals(1, m.lines().count(), what + ": " + m);
            assertEquals(m.indexOf(file.toString()), m.lastIndexOf(file.toString()), what + ": " + m);
            return "refused";
        }
    }

    /** A byte-level BPE over the printable ASCII bytes, with a few merges and one added token. */
    private static ObjectNode small() {
        ObjectNode t = F.objectNode();
        t.put("version", "1.0").putNull("truncation").putNull("padding");
        t.putArray("added_tokens").addObject().put("id", 99).put("content", "<|endoftext|>").put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", true).put("special", true);
        t.putNull("normalizer");
        t.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", true);
        t.putNull("post_processor");
        t.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").put("continuing_subword_prefix", "")
                .put("end_of_word_suffix", "").put("fuse_unk", false).put("byte_fallback", false)
                .put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        int id = 0;
        for (char ch = '!'; ch <= '~'; ch++) {
            vocab.put(String.valueOf(ch), id++);
        }
        vocab.put("\u0120", id++); // byte-level space
        vocab.put("he", id++).put("ll", id++).put("hell", id++);
        ArrayNode merges = model.putArray("merges");
        merges.addArray().add("h").add("e");
        merges.addArray().add("l").add("l");
        merges.addArray().add("he").add("ll");
        return t;
    }

    private static String mutate(ObjectNode t, Random rnd) {
        ObjectNode model = (ObjectNode) t.get("model");
        ObjectNode vocab = (ObjectNode) model.get("vocab");
        List<String> tokens = new ArrayList<>();
        vocab.fieldNames().forEachRemaining(tokens::add);
        JsonNode v = value(rnd);
        return switch (rnd.nextInt(9)) {
            case 0 -> "unchanged";
            case 1 -> { String k = tokens.get(rnd.nextInt(tokens.size())); vocab.set(k, v); yield "vocab." + k + " = " + v; }
            case 2 -> { model.set("vocab", v); yield "model.vocab = " + v; }
            case 3 -> { model.set("type", v); yield "model.type = " + v; }
            case 4 -> { ((ObjectNode) t.get("added_tokens").get(0)).set(rnd.nextBoolean() ? "id" : "content", v);
                yield "added_tokens[0] = " + v; }
            case 5 -> { model.set("merges", rnd.nextBoolean() ? v : F.arrayNode().add(F.arrayNode().add("z").add("q")));
                yield "model.merges edited"; }
            case 6 -> { String k = List.of("pre_tokenizer", "decoder", "normalizer", "post_processor").get(rnd.nextInt(4));
                t.set(k, v); yield k + " = " + v; }
            case 7 -> { t.set("added_tokens", v); yield "added_tokens = " + v; }
            default -> { vocab.put("x" + rnd.nextInt(5), rnd.nextInt(300) - 100); yield "vocab entry added"; }
        };
    }

    private static JsonNode value(Random rnd) {
        return switch (rnd.nextInt(11)) {
            case 0 -> F.nullNode();
            case 1 -> F.numberNode(-1);
            case 2 -> F.numberNode(Integer.MAX_VALUE);
            case 3 -> F.numberNode(rnd.nextInt(120));
            case 4 -> F.numberNode(1.5);
            case 5 -> F.textNode(rnd.nextBoolean() ? "WordPiece" : "Mystery");
            case 6 -> F.booleanNode(true);
            case 7 -> F.arrayNode().add(1).add("a");
            case 8 -> F.objectNode().put("type", rnd.nextBoolean() ? "ByteLevel" : "Nope");
            case 9 -> F.objectNode();
            default -> F.textNode("");
        };
    }
}
