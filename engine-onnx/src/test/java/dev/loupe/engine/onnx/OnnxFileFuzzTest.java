package dev.loupe.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.engine.tck.GoldenFixtures;
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
 * Seeded fuzzing of Loupe's ONNX file: truncation, junk after the end, flipped bytes, an edit of the model spec in
 * the metadata, or an edited initializer (removed, duplicated, renamed, its dims or data type changed). Each case
 * must load or fail with one {@link LoupeException} line naming the file once, within 10 s. A load must compute the
 * original logits, except where a flipped byte lies inside an initializer's data (other weights: a valid file) or
 * the spec edit changed a number the JSON, read back, shows. {@code -Dloupe.fuzz.cases=N},
 * {@code -Dloupe.fuzz.seed=S}.
 */
class OnnxFileFuzzTest {
    private static final int CASES = Integer.getInteger("loupe.fuzz.cases", 1000);
    private static final long SEED = Long.getLong("loupe.fuzz.seed", 20261203L);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<JsonNode> VALUES = List.of(F.nullNode(), F.numberNode(0), F.numberNode(-1),
            F.numberNode(3), F.numberNode(2.5), F.numberNode((1L << 32) + 64), F.numberNode(1e-3), F.textNode("2"),
            F.textNode("x"), F.booleanNode(true), F.arrayNode(), F.objectNode());

    @TempDir
    Path tmp;
    private JsonNode originalSpec;

    @Test
    void everyMutationLoadsTheModelOrIsOneLine() throws Exception {
        Path file = tmp.resolve("model.onnx");
        int[] ids = GoldenFixtures.ids("llama-tiny", 1);
        OnnxEngine engine = new OnnxEngine();
        byte[] original;
        Tensor logits;
        try (Model m = engine.load(ModelSource.directory(GoldenFixtures.directory("llama-tiny")))) {
            engine.export(m, file);
            original = Files.readAllBytes(file);
            logits = m.run(RunRequest.of(ids)).logits();
        }
        ModelProto proto = ModelProto.parseFrom(original);
        originalSpec = JSON.readTree(proto.getMetadataPropsList().stream()
                .filter(p -> p.getKey().equals(OnnxModelFile.SPEC_KEY)).findFirst().orElseThrow().getValue());
        assertEquals(JSON.valueToTree(dev.loupe.api.ArchitectureFeatures.NONE), originalSpec.get("features"),
                "the oracle below assumes a fixture that uses no architecture feature");
        List<int[]> dataRanges = dataRanges(original, proto);
        Random rnd = new Random(SEED);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int c = 0; c < CASES; c++) {
            Mutation mu = mutate(original, proto, dataRanges, rnd);
            Files.write(file, mu.bytes());
            String what = "case " + c + " (seed " + SEED + "): " + mu.what();
            outcomes.merge(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> load(engine, file, ids, logits, mu,
                    what), what), 1, Integer::sum);
        }
        System.out.println("onnx file fuzz, " + CASES + " cases, seed " + SEED + ": " + outcomes);
        assertEquals(CASES, outcomes.values().stream().mapToInt(Integer::intValue).sum());
    }

    private String load(OnnxEngine engine, Path file, int[] ids, Tensor logits, Mutation mu, String what)
            throws Exception {
        try (Model m = engine.load(ModelSource.directory(file))) {
            Tensor out;
            try {
                out = m.run(RunRequest.of(ids)).logits();
            } catch (LoupeException refusal) {
                assertTrue(mu.spec() != null, what + ": loaded, then " + refusal.getMessage());
                assertTrue(JSON.valueToTree(m.spec()).equals(BY_VALUE, expected(mu.spec())), what + ": " + m.spec());
                return "accepted, spec changed as edited (the prompt refused)";
            }
            if (mu.weightsChanged()) {
                return "accepted, other weights";
            }
            if (mu.spec() != null) {
                JsonNode loaded = JSON.valueToTree(m.spec());
                assertTrue(loaded.equals(BY_VALUE, expected(mu.spec())), what + ": loaded spec " + loaded);
                return out.equals(logits) ? "accepted, same model" : "accepted, spec changed as edited";
            }
            assertEquals(logits, out, what + ": loaded, but computes other logits");
            return "accepted, same model";
        } catch (LoupeException e) {
            String msg = e.getMessage();
            assertEquals(1, msg.lines().count(), what + ": " + msg);
            assertTrue(msg.contains(file.toString()), what + ": " + msg);
            assertEquals(msg.indexOf(file.toString()), msg.lastIndexOf(file.toString()), what + ": twice: " + msg);
            return "refused";
        }
    }

    /**
     * What the edited spec means: the fixture uses no architecture feature, so an absent or null feature key (or
     * features object) must read as the fixture's own value (the documented rule: files from before a feature
     * existed did not use it).
     */
    private JsonNode expected(JsonNode edited) {
        ObjectNode spec = (ObjectNode) edited.deepCopy();
        JsonNode own = originalSpec.get("features");
        if (!spec.hasNonNull("features")) {
            spec.set("features", own);
        } else if (spec.get("features") instanceof ObjectNode f) {
            for (String key : fieldNames(own)) {
                if (!f.hasNonNull(key)) {
                    f.set(key, own.get(key));
                }
            }
        }
        return spec;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? Double.compare(a.doubleValue(), b.doubleValue()) : a.equals(b) ? 0 : 1;

    /** The bytes to write, what was done, whether weights changed validly, and the edited spec (if it was edited). */
    private record Mutation(byte[] bytes, String what, boolean weightsChanged, JsonNode spec) {}

    private static Mutation mutate(byte[] bytes, ModelProto proto, List<int[]> dataRanges, Random rnd)
            throws Exception {
        switch (rnd.nextInt(5)) {
            case 0 -> {
                int n = rnd.nextInt(bytes.length);
                return new Mutation(java.util.Arrays.copyOf(bytes, n), "truncated to " + n, false, null);
            }
            case 1 -> {
                byte[] junk = new byte[1 + rnd.nextInt(64)];
                rnd.nextBytes(junk);
                byte[] b = java.util.Arrays.copyOf(bytes, bytes.length + junk.length);
                System.arraycopy(junk, 0, b, bytes.length, junk.length);
                return new Mutation(b, junk.length + " junk bytes appended", false, null);
            }
            case 2 -> {
                byte[] b = bytes.clone();
                int at = rnd.nextInt(b.length);
                b[at] ^= (byte) (1 + rnd.nextInt(255));
                boolean inData = dataRanges.stream().anyMatch(r -> at >= r[0] && at < r[1]);
                return new Mutation(b, "byte " + at + " flipped" + (inData ? " (in weights)" : ""), inData, null);
            }
            case 3 -> {
                return editSpec(proto, rnd);
            }
            default -> {
                return editInitializer(proto, rnd);
            }
        }
    }

    private static Mutation editSpec(ModelProto proto, Random rnd) throws Exception {
        int index = -1;
        for (int i = 0; i < proto.getMetadataPropsCount(); i++) {
            if (proto.getMetadataProps(i).getKey().equals(OnnxModelFile.SPEC_KEY)) {
                index = i;
            }
        }
        ObjectNode spec = (ObjectNode) JSON.readTree(proto.getMetadataProps(index).getValue());
        List<String> keys = new ArrayList<>();
        spec.fieldNames().forEachRemaining(keys::add);
        spec.path("features").fieldNames().forEachRemaining(k -> keys.add("features." + k));
        keys.add("unknownField");
        String key = keys.get(rnd.nextInt(keys.size()));
        ObjectNode parent = key.startsWith("features.") ? (ObjectNode) spec.get("features") : spec;
        String name = key.replace("features.", "");
        String what;
        if (rnd.nextInt(5) == 0) {
            parent.remove(name);
            what = "spec." + key + " removed";
        } else {
            JsonNode v = VALUES.get(rnd.nextInt(VALUES.size()));
            parent.set(name, v);
            what = "spec." + key + " = " + v;
        }
        ModelProto edited = proto.toBuilder().setMetadataProps(index, StringStringEntryProto.newBuilder()
                .setKey(OnnxModelFile.SPEC_KEY).setValue(JSON.writeValueAsString(spec))).build();
        return new Mutation(edited.toByteArray(), what, false, spec);
    }

    private static Mutation editInitializer(ModelProto proto, Random rnd) {
        var graph = proto.getGraph().toBuilder();
        int i = rnd.nextInt(graph.getInitializerCount());
        TensorProto t = graph.getInitializer(i);
        String what;
        switch (rnd.nextInt(5)) {
            case 0 -> {
                graph.removeInitializer(i);
                what = "initializer " + t.getName() + " removed";
            }
            case 1 -> {
                graph.addInitializer(t);
                what = "initializer " + t.getName() + " duplicated";
            }
            case 2 -> {
                graph.setInitializer(i, t.toBuilder().setName(t.getName() + "_x"));
                what = "initializer " + t.getName() + " renamed";
            }
            case 3 -> {
                var b = t.toBuilder();
                if (b.getDimsCount() == 0) {
                    b.addDims(2);
                } else {
                    int d = rnd.nextInt(b.getDimsCount());
                    b.setDims(d, rnd.nextBoolean() ? b.getDims(d) + 1 : (1L << 32) + b.getDims(d));
                }
                graph.setInitializer(i, b);
                what = "initializer " + t.getName() + " dims " + b.getDimsList();
            }
            default -> {
                graph.setInitializer(i, t.toBuilder().setDataType(rnd.nextBoolean() ? 10 : 7));
                what = "initializer " + t.getName() + " data type changed";
            }
        }
        return new Mutation(proto.toBuilder().setGraph(graph).build().toByteArray(), what, false, null);
    }

    /** Where each float initializer's raw data lies in the file. */
    private static List<int[]> dataRanges(byte[] file, ModelProto proto) {
        List<int[]> ranges = new ArrayList<>();
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            byte[] raw = t.getRawData().toByteArray();
            if (raw.length >= 16) {
                int at = indexOf(file, raw);
                if (at >= 0) {
                    ranges.add(new int[] {at, at + raw.length});
                }
            }
        }
        return ranges;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
