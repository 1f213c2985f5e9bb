package dev.loupe.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of config.json on every family fixture: one field set to a random value (or removed, or added).
 * Each case must open or fail with one {@link LoupeException} line naming config.json once, within 5 s; and a
 * change Loupe accepts must be harmless (the field is listed as such), equal in value to the original, or visible
 * in the spec: never silently ignored. {@code -Dloupe.fuzz.cases=N}, {@code -Dloupe.fuzz.seed=S}.
 */
class ConfigFuzzTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @TempDir
    Path tmp;

    @Test
    void everyEditIsRefusedInOneLineOrVisibleInTheSpec() throws IOException {
        List<String> families = ConfigRefusalTest.families().toList();
        Map<String, ModelSpec> original = new TreeMap<>();
        for (String f : families) {
            try (HfCheckpoint c = HfCheckpoint.open(TestData.golden(f))) {
                original.put(f, c.spec());
            }
        }
        Random rnd = new Random(FuzzCampaign.SEED);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int c = 0; c < FuzzCampaign.CASES; c++) {
            String family = families.get(rnd.nextInt(families.size()));
            Path source = TestData.golden(family);
            ObjectNode config = (ObjectNode) EditedCheckpoints.JSON.readTree(source.resolve("config.json").toFile());
            List<String> keys = new ArrayList<>();
            config.fieldNames().forEachRemaining(keys::add);
            String key = rnd.nextInt(10) == 0 ? "loupe_fuzz_" + rnd.nextInt(3) : keys.get(rnd.nextInt(keys.size()));
            JsonNode before = config.get(key);
            JsonNode value = value(rnd, before);
            if (value == null) {
                config.remove(key);
            } else {
                config.set(key, value);
            }
            Path dir = tmp.resolve("case");
            Files.createDirectories(dir);
            EditedCheckpoints.JSON.writeValue(dir.resolve("config.json").toFile(), config);
            Files.copy(source.resolve("model.safetensors"), dir.resolve("model.safetensors"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            String what = "case " + c + " (seed " + FuzzCampaign.SEED + "): " + family + " " + key + " " + before + " -> " + value;
            ModelSpec spec = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> open(dir, what), what);
            if (spec == null) {
                outcomes.merge("refused", 1, Integer::sum);
                continue;
            }
            boolean same = value == null ? before == null : value.equals(before)
                    || (value.isNumber() && before != null && before.isNumber() && value.doubleValue() == before.doubleValue());
            if (spec.equals(original.get(family))) {
                if (!same && !harmless(source, key, value) && !(value == null || value.isNull() || isEmpty(value))) {
                    fail(what + ": accepted with the spec unchanged, and the field is not listed as harmless");
                }
                outcomes.merge(same ? "accepted (same value)" : "accepted (harmless or defaulted)", 1, Integer::sum);
            } else {
                outcomes.merge("accepted (spec changed)", 1, Integer::sum);
            }
        }
        FuzzCampaign.report("config", outcomes);
        assertEquals(FuzzCampaign.CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
    }

    private static ModelSpec open(Path dir, String what) {
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            return c.spec();
        } catch (LoupeException e) {
            String m = e.getMessage();
            assertEquals(1, m.lines().count(), what + ": " + m);
            String file = dir.resolve("config.json").toString();
            assertTrue(m.indexOf(file) == m.lastIndexOf(file), what + ": the path once: " + m);
            return null;
        }
    }

    /**
     * Fields HF itself reads only under a condition the fixture does not meet, so a change leaves HF's forward
     * unchanged too (family → fields).
     */
    private static final Map<String, Set<String>> CONDITIONAL = Map.of(
            // the window only with use_sliding_window; max_window_layers and the gate only without sliding layer_types
            "qwen2", Set.of("sliding_window", "max_window_layers", "use_sliding_window"),
            "qwen3", Set.of("sliding_window", "max_window_layers", "use_sliding_window"));

    private static boolean harmless(Path source, String key, JsonNode value) {
        HfConfig config = HfConfig.read(source.resolve("config.json"));
        boolean qwen = CONDITIONAL.getOrDefault(config.modelType(), Set.of()).contains(key);
        boolean layerTypes = config.has("layer_types");
        if (qwen && (key.equals("use_sliding_window") ? layerTypes && !config.node("layer_types").toString()
                .contains("sliding") : !config.bool(false, "use_sliding_window")
                || key.equals("max_window_layers") && layerTypes)) {
            return true; // HF ignores them then: layer_types decides, and no window without use_sliding_window
        }
        Map<String, Object> pinned = new java.util.HashMap<>(ConfigFields.FIXED);
        pinned.putAll(HfCheckpoint.adapterFor(config).fixedFields());
        if (pinned.containsKey(key) && EditedCheckpoints.JSON.valueToTree(pinned.get(key)).equals(value)) {
            return true; // the one value Loupe computes, written out
        }
        Set<String> h = new HashSet<>(ConfigFields.HARMLESS);
        h.addAll(HfCheckpoint.adapterFor(config).harmlessFields());
        return h.contains(key);
    }

    private static boolean isEmpty(JsonNode v) {
        return v.isContainerNode() && v.isEmpty();
    }

    private static JsonNode value(Random rnd, JsonNode before) {
        return switch (rnd.nextInt(14)) {
            case 0 -> null;
            case 1 -> F.nullNode();
            case 2 -> F.numberNode(0);
            case 3 -> F.numberNode(-1);
            case 4 -> F.numberNode(Integer.MAX_VALUE);
            case 5 -> F.numberNode(4294967360L);
            case 6 -> F.numberNode(1e308);
            case 7 -> F.numberNode(-0.5);
            case 8 -> F.textNode(rnd.nextBoolean() ? "NaN" : "gelu");
            case 9 -> F.booleanNode(rnd.nextBoolean());
            case 10 -> rnd.nextBoolean() ? F.arrayNode() : F.objectNode().put("rope_type", "yarn");
            case 11 -> before != null && before.isNumber() ? F.numberNode(before.doubleValue() * 2) : F.numberNode(2);
            case 12 -> before != null && before.isIntegralNumber() ? F.numberNode(before.longValue() + 1) : F.numberNode(3);
            default -> before != null && before.isBoolean() ? F.booleanNode(!before.booleanValue()) : F.textNode("x");
        };
    }
}
