package dev.loupe.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of a steering vector's JSON: one field (top level or under {@code config}, {@code positions}) removed,
 * set to one of a list of values, or added; sometimes the text itself is cut or doubled. Each case must load or
 * fail with one {@link LoupeException} line naming the file once, within 5 s; a load must give back exactly what
 * the JSON says (written out again it is the same JSON, numbers compared by value and null the same as absent), and
 * the same vector. {@code -Dloupe.fuzz.cases=N}, {@code -Dloupe.fuzz.seed=S}.
 */
class SteeringVectorFuzzTest {
    private static final int CASES = Integer.getInteger("loupe.fuzz.cases", 1000);
    private static final long SEED = Long.getLong("loupe.fuzz.seed", 20261203L);
    private static final ObjectMapper JSON = dev.loupe.json.LoupeJson.mapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<JsonNode> VALUES = List.of(F.nullNode(), F.numberNode(0), F.numberNode(-1),
            F.numberNode(2), F.numberNode(2.5), F.numberNode(Integer.MAX_VALUE), F.numberNode((1L << 32) + 64),
            F.numberNode(1e308), F.textNode("2"), F.textNode("ADD"), F.textNode("CLAMP"), F.textNode("add"),
            F.textNode("blocks.2.hook_resid_pre"), F.textNode("blocks.1.hook_resid_pre"), F.textNode("indices"),
            F.booleanNode(true), F.booleanNode(false), F.arrayNode(), F.arrayNode().add(1).add(-1), F.objectNode());

    @TempDir
    Path tmp;

    @Test
    void everyEditLoadsAsWrittenOrIsOneLine() throws IOException {
        Tensor v = Tensor.vector(3, 4, 0, 12);
        SteeringPlacement at = new SteeringPlacement(2, SteeringPlacement.Form.ADD, false, Positions.range(1, 3));
        ObjectNode config = JSON.valueToTree(at);
        config.put("targetLoss", 0.5).put("targetPatience", 2).put("learningRate", 0.5);
        Path base = tmp.resolve("v");
        SteeringVectorFile.write(base, v, SteeringVectorFile.Metadata.of("gpt2", at, config, v, 0.25, 7, "the prompt"));
        Path json = tmp.resolve("v.json");
        ObjectNode original = (ObjectNode) JSON.readTree(json.toFile());
        Random rnd = new Random(SEED);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int n = 0; n < CASES; n++) {
            ObjectNode edited = original.deepCopy();
            String edit = edit(edited, rnd);
            String text = JSON.writeValueAsString(edited);
            if (rnd.nextInt(10) == 0) {
                text = rnd.nextBoolean() ? text.substring(0, rnd.nextInt(text.length())) : text + text;
                edit += ", text cut or doubled";
            }
            Files.writeString(json, text);
            String what = "case " + n + " (seed " + SEED + "): " + edit;
            outcomes.merge(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> load(base, json, v, what), what), 1,
                    Integer::sum);
        }
        System.out.println("steering vector json fuzz, " + CASES + " cases, seed " + SEED + ": " + outcomes);
        assertEquals(CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
    }

    private static String load(Path base, Path json, Tensor vector, String what) throws IOException {
        SteeringVectorFile.Loaded loaded;
        try {
            loaded = SteeringVectorFile.read(base);
        } catch (LoupeException e) {
            String m = e.getMessage();
            assertEquals(1, m.lines().count(), what + ": " + m);
            assertTrue(m.contains("v.json") || m.contains("v.safetensors"), what + ": " + m);
            assertEquals(m.indexOf(base.getParent().toString()), m.lastIndexOf(base.getParent().toString()),
                    what + ": path twice: " + m);
            return "refused";
        }
        assertEquals(vector, loaded.vector(), what);
        JsonNode written = withoutNulls(JSON.valueToTree(loaded.metadata()));
        ObjectNode read = (ObjectNode) withoutNulls(JSON.readTree(json.toFile()));
        if (!read.has("positions")) { // the documented defaults of older files: the config's, else all
            read.set("positions", read.path("config").has("positions") ? read.get("config").get("positions")
                    : F.objectNode().put("kind", "all"));
        }
        if (!read.has("llamaCppLayer") && loaded.metadata().layer() >= 2) {
            read.put("llamaCppLayer", loaded.metadata().layer() - 1); // derived when absent
        }
        assertTrue(written.equals(BY_VALUE, read), what + ": loaded " + written + " from " + read);
        return "accepted as written";
    }

    /** Numbers equal by value (2 and 2.0), everything else as JSON. */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? Double.compare(a.doubleValue(), b.doubleValue()) : a.equals(b) ? 0 : 1;

    private static JsonNode withoutNulls(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = F.objectNode();
            n.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    o.set(e.getKey(), withoutNulls(e.getValue()));
                }
            });
            return o;
        }
        return n;
    }

    private static String edit(ObjectNode meta, Random rnd) {
        List<String> paths = new ArrayList<>();
        meta.fieldNames().forEachRemaining(paths::add);
        meta.path("config").fieldNames().forEachRemaining(k -> paths.add("config." + k));
        meta.path("config").path("positions").fieldNames().forEachRemaining(k -> paths.add("config.positions." + k));
        meta.path("positions").fieldNames().forEachRemaining(k -> paths.add("positions." + k));
        paths.addAll(List.of("unknown", "config.unknown", "config.positions.indices", "positions.indices"));
        String path = paths.get(rnd.nextInt(paths.size()));
        ObjectNode parent = meta;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            parent = (ObjectNode) parent.get(parts[i]);
        }
        String name = parts[parts.length - 1];
        if (rnd.nextInt(6) == 0) {
            parent.remove(name);
            return path + " removed";
        }
        JsonNode value = VALUES.get(rnd.nextInt(VALUES.size()));
        parent.set(name, value);
        return path + " = " + value;
    }
}
