package dev.loupe.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of a transcoder's {@code cfg.json} (Loupe's own, or with SAELens 6 keys): one key removed, set to
 * one of a list of values, or added. Each case must load or fail with one {@link LoupeException} line naming the
 * file once, within 5 s. A load identical to the original is allowed only for an edit this test's own table calls
 * neutral (provenance keys, Loupe's own values of SAELens keys, optional keys removed); a load that differs must
 * differ where the edit was (a hook or the input convention). {@code -Dloupe.fuzz.cases=N}, {@code -Dloupe.fuzz.seed=S}.
 */
class TranscoderCfgFuzzTest {
    private static final int CASES = Integer.getInteger("loupe.fuzz.cases", 1000);
    private static final long SEED = Long.getLong("loupe.fuzz.seed", 20261203L);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Restated from SAELens's config classes: keys that describe provenance only. */
    private static final Set<String> PROVENANCE = Set.of("model_name", "model_class_name",
            "model_from_pretrained_kwargs", "context_size", "prepend_bos", "dataset_path", "dataset_trust_remote_code",
            "sae_lens_version", "sae_lens_training_version", "neuronpedia_id", "exclude_special_tokens",
            "seqpos_slice", "device");
    /** Keys whose absence means Loupe's value. */
    private static final Set<String> OPTIONAL = Set.of("d_out", "dtype", "normalize_activations",
            "reshape_activations", "metadata.sae_lens_training_version", "hook_layer", "hook_head_index", "loupe_run", "metadata.hook_layer",
            "metadata.hook_head_index", "metadata.loupe_run", "metadata.model_name", "metadata.context_size",
            "metadata.sae_lens_version", "device");
    /** The values of SAELens keys that mean what Loupe's transcoder computes (null: JSON null). */
    private static final Map<String, Set<JsonNode>> LOUPE_VALUES = Map.of(
            "apply_b_dec_to_input", Set.of(F.booleanNode(false)),
            // SAELens reads a boolean false as "none" (handle_pre_6_0_config)
            "normalize_activations", Set.of(F.textNode("none"), F.nullNode(), F.booleanNode(false)),
            "reshape_activations", Set.of(F.textNode("none"), F.nullNode()),
            "activation_fn_str", Set.of(F.textNode("relu"), F.nullNode()),
            "dtype", Set.of(F.textNode("float32"), F.textNode("float16"), F.textNode("bfloat16"), F.nullNode()),
            "metadata.hook_layer", Set.of(F.numberNode(1)), "metadata.hook_layer_out", Set.of(F.numberNode(1)),
            "metadata.hook_head_index", Set.of(F.nullNode()), "d_out", Set.of(F.numberNode(16)));

    @TempDir
    Path tmp;

    @Test
    void everyEditLoadsAsItSaysOrIsOneLine() throws IOException {
        Transcoder original = TranscoderFileTest.randomTranscoder(1, 16, 32);
        TranscoderFile.write(tmp, original);
        Path cfg = tmp.resolve("cfg.json");
        ObjectNode loupe = (ObjectNode) JSON.readTree(cfg.toFile());
        ObjectNode sae6 = sae6(loupe);
        Random rnd = new Random(SEED);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int c = 0; c < CASES; c++) {
            ObjectNode edited = (rnd.nextBoolean() ? loupe : sae6).deepCopy();
            Edit edit = edit(edited, rnd);
            JSON.writeValue(cfg.toFile(), edited);
            String what = "case " + c + " (seed " + SEED + "): " + edit;
            String outcome = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> load(original, edit, what), what);
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.println("transcoder cfg fuzz, " + CASES + " cases, seed " + SEED + ": " + outcomes);
        assertEquals(CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
    }

    private String load(Transcoder original, Edit edit, String what) {
        Transcoder t;
        try {
            t = TranscoderFile.read(tmp);
        } catch (LoupeException e) {
            String m = e.getMessage();
            assertEquals(1, m.lines().count(), what + ": " + m);
            String file = m.contains("sae_weights.safetensors") ? "sae_weights.safetensors" : "cfg.json";
            assertTrue(m.contains(file), what + ": " + m);
            assertEquals(m.indexOf(tmp.toString()), m.lastIndexOf(tmp.toString()), what + ": path twice: " + m);
            return "refused";
        }
        if (t.equals(original.saeLensForm())) {
            if (!neutral(edit)) {
                fail(what + ": accepted and changed nothing (silently ignored)");
            }
            return "accepted, neutral";
        }
        boolean hooks = !t.hookIn().equals(original.hookIn()) || !t.hookOut().equals(original.hookOut());
        boolean convention = !t.convention().equals(original.convention());
        String loaded = what + ": loaded " + t.hookIn() + " → " + t.hookOut() + " (" + t.convention() + ")";
        assertTrue(hooks || convention, loaded);
        assertTrue(!hooks || edit.key().contains("hook_name"), loaded);
        assertTrue(!convention || edit.key().contains("input_convention"), loaded);
        return "accepted, changed where edited";
    }

    private static boolean neutral(Edit e) {
        String bare = e.key().replace("metadata.", "");
        return PROVENANCE.contains(bare) || e.same() || (e.value() == null && OPTIONAL.contains(e.key()))
                || (e.value() != null && LOUPE_VALUES.getOrDefault(e.key(), Set.of()).contains(e.value()));
    }

    /** An edit: the key (dotted under metadata), the value set (null: removed), whether it equals the old value. */
    private record Edit(String key, JsonNode value, boolean same) {}

    private static Edit edit(ObjectNode cfg, Random rnd) {
        List<String> keys = new ArrayList<>();
        cfg.fieldNames().forEachRemaining(keys::add);
        cfg.path("metadata").fieldNames().forEachRemaining(k -> keys.add("metadata." + k));
        keys.addAll(List.of("new_key", "metadata.new_key", "apply_b_dec_to_input", "normalize_activations",
                "hook_name", "metadata.hook_layer_out", "activation_fn_str", "reshape_activations"));
        String key = keys.get(rnd.nextInt(keys.size()));
        ObjectNode parent = key.startsWith("metadata.") ? (ObjectNode) cfg.get("metadata") : cfg;
        String name = key.replace("metadata.", "");
        JsonNode old = parent.get(name);
        if (rnd.nextInt(6) == 0) {
            parent.remove(name);
            return new Edit(key, null, old == null);
        }
        JsonNode value = VALUES.get(rnd.nextInt(VALUES.size()));
        if (old != null && old.isIntegralNumber() && rnd.nextBoolean()) {
            value = F.numberNode(old.longValue() * 2);
        }
        parent.set(name, value);
        return new Edit(key, value, value.equals(old));
    }

    private static final List<JsonNode> VALUES = List.of(F.nullNode(), F.numberNode(0), F.numberNode(-1),
            F.numberNode(1), F.numberNode(16), F.numberNode(Integer.MAX_VALUE), F.numberNode((1L << 32) + 64),
            F.numberNode(1e308), F.numberNode(-0.5), F.textNode("x"), F.textNode("none"), F.textNode("relu"),
            F.textNode("float32"), F.textNode("blocks.2.ln2.hook_out"), F.textNode("blocks.1.hook_mlp_out"),
            F.booleanNode(true), F.booleanNode(false), F.arrayNode(), F.objectNode());

    /** Loupe's cfg with the keys SAELens 6 writes beside them, each with the value that means Loupe's transcoder. */
    private static ObjectNode sae6(ObjectNode loupe) {
        ObjectNode c = loupe.deepCopy();
        ((ObjectNode) c.get("metadata")).put("model_name", "gpt2").put("hook_layer", 1).putNull("hook_head_index")
                .put("context_size", 128);
        return c;
    }
}
