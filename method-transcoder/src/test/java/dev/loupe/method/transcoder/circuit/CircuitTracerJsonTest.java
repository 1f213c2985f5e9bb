package dev.loupe.method.transcoder.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.Model;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.toymodel.EmbeddedModel;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The graph files hold what circuit-tracer's pydantic models require, restated from its
 * {@code frontend/graph_models.py} and {@code utils/create_graph_files.py}: {@code Metadata} (slug, scan,
 * transcoder_list, prompt_tokens, prompt, node_threshold, schema_version), {@code QParams} (pinnedIds, supernodes,
 * linkType, clickedId, sg_pos), {@code Node} (node_id, feature, layer as a string, ctx_idx, feature_type,
 * token_prob, is_target_logit, run_idx, reverse_ctx_idx, jsNodeId, clerp, influence, activation) with its id
 * conventions, links between existing nodes, and {@code graph-metadata.json} listing graphs by slug.
 */
class CircuitTracerJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Set<String> keys(JsonNode n) {
        Set<String> out = new TreeSet<>();
        for (Iterator<String> i = n.fieldNames(); i.hasNext(); ) {
            out.add(i.next());
        }
        return out;
    }

    @Test
    void theFilesHaveEveryFieldCircuitTracersSchemaRequiresAndOneNodePerId() throws Exception {
        try (Model model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            Map<Integer, Transcoder> byLayer = Map.of(1, DecompositionTest.random(1, 1), 3, DecompositionTest.random(3, 2));
            int[] ids = model.tokenizer().encodeWithBos("The war lasted from the year 1732 to the year 17");
            Circuits.Root root = CircuitTarget.parse("logit-diff:'50','20'", model.tokenizer(), model.spec().dVocab());
            CircuitGraph g = Circuits.trace(model, byLayer, ids, root, 8, 3);
            CircuitTracerJson.Info info = CircuitTracerJson.Info.of(model, byLayer, ids, root, g, "years", "toy",
                    List.of("tc1", "tc3"), "The war lasted from the year 1732 to the year 17");
            Path file = CircuitTracerJson.write(tmp, g, info);
            assertEquals(tmp.resolve("years.json"), file);
            JsonNode doc = JSON.readTree(file.toFile());
            assertEquals(Set.of("metadata", "qParams", "nodes", "links"), keys(doc));
            JsonNode meta = doc.get("metadata");
            assertTrue(keys(meta).containsAll(Set.of("slug", "scan", "transcoder_list", "prompt_tokens", "prompt",
                    "node_threshold", "schema_version")), keys(meta).toString());
            assertEquals("years", meta.get("slug").asText());
            assertEquals(List.of("tc1", "tc3"), List.of(meta.get("transcoder_list").get(0).asText(),
                    meta.get("transcoder_list").get(1).asText()));
            assertEquals(ids.length, meta.get("prompt_tokens").size());
            assertEquals(1, meta.get("schema_version").asInt());
            JsonNode q = doc.get("qParams");
            assertEquals(Set.of("pinnedIds", "supernodes", "linkType", "clickedId", "sg_pos"), keys(q));
            assertTrue(q.get("pinnedIds").isArray() && q.get("supernodes").isArray() && q.get("sg_pos").isTextual());
            Set<String> nodeIds = new HashSet<>();
            int targets = 0;
            int features = 0;
            int layers = model.spec().nLayers();
            for (JsonNode n : doc.get("nodes")) {
                assertTrue(keys(n).containsAll(Set.of("node_id", "feature", "layer", "ctx_idx", "feature_type",
                        "token_prob", "is_target_logit", "run_idx", "reverse_ctx_idx", "jsNodeId", "clerp",
                        "influence", "activation")), n.toString());
                String id = n.get("node_id").asText();
                assertTrue(nodeIds.add(id), "one node per id: " + id);
                assertTrue(n.get("layer").isTextual() && n.get("feature").isIntegralNumber()
                        && n.get("ctx_idx").isIntegralNumber() && n.get("jsNodeId").isTextual(), n.toString());
                String layer = n.get("layer").asText();
                int pos = n.get("ctx_idx").asInt();
                switch (n.get("feature_type").asText()) {
                    case "cross layer transcoder" -> {
                        String[] parts = id.split("_");
                        assertEquals(layer + "_" + parts[1] + "_" + pos, id);
                        assertEquals(CircuitTracerJson.cantor(Long.parseLong(layer), Long.parseLong(parts[1])),
                                n.get("feature").asLong());
                        assertTrue(n.get("activation").asDouble() > 0, "a kept feature is active: " + n);
                        features++;
                    }
                    case "mlp reconstruction error" -> assertEquals(layer + "_-1_" + pos, id);
                    case "embedding" -> {
                        assertEquals("E", layer);
                        assertTrue(id.matches("E_\\d+_" + pos), id);
                    }
                    case "logit" -> {
                        assertEquals(String.valueOf(layers + 1), layer);
                        assertEquals(layer + "_" + model.tokenizer().encode("50")[0] + "_" + (ids.length - 1), id);
                        assertTrue(n.get("clerp").asText().matches("Output \"50\" \\(p=\\d\\.\\d{3}\\)"),
                                n.get("clerp").asText());
                        assertTrue(n.get("is_target_logit").asBoolean());
                        targets++;
                    }
                    default -> throw new AssertionError("feature_type circuit-tracer has not: " + n);
                }
            }
            assertEquals(1, targets, "one target logit");
            assertTrue(features >= 2, "features kept: " + features);
            Set<String> pairs = new HashSet<>();
            for (JsonNode l : doc.get("links")) {
                assertEquals(Set.of("source", "target", "weight"), keys(l));
                assertTrue(nodeIds.contains(l.get("source").asText()) && nodeIds.contains(l.get("target").asText()),
                        "a link between nodes of the file: " + l);
                assertTrue(pairs.add(l.get("source").asText() + ">" + l.get("target").asText()), "one link per pair");
            }
            assertTrue(pairs.size() >= features, "links: " + pairs.size());
            assertTheFrontendKeepsEveryNode(doc);

            JsonNode index = JSON.readTree(tmp.resolve("graph-metadata.json").toFile());
            assertEquals(1, index.get("graphs").size());
            assertEquals("years", index.get("graphs").get(0).get("slug").asText());
            CircuitTracerJson.write(tmp, g, info);
            CircuitTracerJson.write(tmp, g, new CircuitTracerJson.Info("other", "toy", List.of(), "p", layers,
                    info.targetToken(), info.targetText(), info.probability(), info.activations()));
            index = JSON.readTree(tmp.resolve("graph-metadata.json").toFile());
            assertEquals(List.of("years", "other"), List.of(index.get("graphs").get(0).get("slug").asText(),
                    index.get("graphs").get(1).get("slug").asText()), "a slug written again is replaced, not repeated");
        }
    }

    @Test
    void aSkipTranscodersLinearPathIsFoldedIntoLinksLikeAHead() throws Exception {
        try (Model model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            int dm = model.spec().dModel();
            Map<Integer, Transcoder> byLayer = Map.of(
                    1, LinearPathDecompositionTest.transcoder(dm, 1, 1, true, InputNormalization.NONE),
                    3, LinearPathDecompositionTest.transcoder(dm, 3, 2, true, InputNormalization.NONE));
            int[] ids = model.tokenizer().encodeWithBos("The war lasted from the year 1732 to the year 17");
            Circuits.Root root = CircuitTarget.parse("logit:'50'", model.tokenizer(), model.spec().dVocab());
            CircuitGraph g = Circuits.trace(model, byLayer, ids, root, 40, 2);
            CircuitTracerJson.Info info = CircuitTracerJson.Info.of(model, byLayer, ids, root, g, "skip", "toy",
                    List.of("tc1", "tc3"), "p");
            JsonNode doc = JSON.readTree(CircuitTracerJson.write(tmp, g, info).toFile());
            Set<String> links = new HashSet<>();
            doc.get("links").forEach(l -> links.add(l.get("source").asText() + ">" + l.get("target").asText()));
            for (JsonNode n : doc.get("nodes")) {
                assertTrue(Set.of("cross layer transcoder", "mlp reconstruction error", "embedding", "logit")
                        .contains(n.get("feature_type").asText()), "a kind circuit-tracer has: " + n);
            }
            String logit = (model.spec().nLayers() + 1) + "_" + model.tokenizer().encode("50")[0] + "_"
                    + (ids.length - 1);
            CircuitGraph.Node skip = g.nodes().stream().filter(n -> n.kind() == CircuitGraph.Kind.SKIP)
                    .filter(n -> g.edges().stream().anyMatch(e -> e.source().equals(n.id())
                            && e.target().equals(g.root().id())))
                    .filter(n -> g.edges().stream().anyMatch(e -> e.target().equals(n.id())
                            && g.node(e.source()).kind() == CircuitGraph.Kind.EMBEDDING))
                    .findFirst().orElseThrow(() -> new AssertionError("an expanded skip path into the logit"));
            for (CircuitGraph.Edge e : g.edges()) {
                if (e.target().equals(skip.id()) && g.node(e.source()).kind() == CircuitGraph.Kind.EMBEDDING) {
                    CircuitGraph.Node source = g.node(e.source());
                    String id = "E_" + source.index() + "_" + source.position();
                    assertTrue(links.contains(id + ">" + logit), "the embedding reaches the logit through the skip "
                            + "path as one link: " + id);
                }
            }
        }
    }

    /**
     * What the frontend's {@code formatData} ({@code frontend/assets/attribution_graph/util-cg.js}) drops, restated:
     * with a numeric {@code node_threshold} every node but embeddings and logits whose {@code influence} exceeds
     * it; every node of a {@code featureId} (layer_feature_ctx) held by more than 2/3 of the prompt's tokens; links
     * whose ends are not nodes. It also reads {@code ctx_idx} as an index into {@code prompt_tokens}, the layer as a
     * number (or "E"), and a logit's probability from its clerp after "(p=". None of it may apply to our file.
     */
    private static void assertTheFrontendKeepsEveryNode(JsonNode doc) {
        JsonNode threshold = doc.get("metadata").get("node_threshold");
        int tokens = doc.get("metadata").get("prompt_tokens").size();
        Map<String, Integer> byFeatureId = new java.util.HashMap<>();
        for (JsonNode n : doc.get("nodes")) {
            String type = n.get("feature_type").asText();
            boolean alwaysKept = type.equals("embedding") || type.equals("logit");
            assertTrue(threshold.isNull() || alwaysKept || n.get("influence").asDouble() <= threshold.asDouble(),
                    "pruned by node_threshold: " + n);
            String layer = n.get("layer").asText();
            assertTrue(layer.equals("E") || layer.matches("\\d+"), "layer the frontend cannot place: " + n);
            int ctx = n.get("ctx_idx").asInt();
            assertTrue(ctx >= 0 && ctx < tokens, "ctx_idx outside prompt_tokens: " + n);
            byFeatureId.merge(layer + "_" + n.get("feature").asText() + "_" + ctx, 1, Integer::sum);
            if (type.equals("logit")) {
                String p = n.get("clerp").asText().split("\\(p=")[1].split("\\)")[0];
                assertEquals(n.get("token_prob").asDouble(), Double.parseDouble(p), 5e-4, n.toString());
            }
        }
        byFeatureId.forEach((id, count) -> assertTrue(count <= tokens * 2.0 / 3, "dropped as too common: " + id));
    }
}
