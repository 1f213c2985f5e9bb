package dev.loupe.method.transcoder.circuit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.io.AtomicFiles;
import dev.loupe.io.JsonLimits;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link CircuitGraph} as circuit-tracer's graph files: {@code {slug}.json} with the fields of its
 * {@code graph_models.py} ({@code metadata}: slug, scan, transcoder_list, prompt_tokens, prompt, node_threshold,
 * schema_version; {@code qParams}: pinnedIds, supernodes, linkType, clickedId, sg_pos; {@code nodes} and
 * {@code links}), and {@code graph-metadata.json} listing the folder's graphs by slug, as its
 * {@code create_graph_files} does. Node ids follow its convention, one node per (layer, feature, position):
 * features {@code L_F_P}, transcoder errors and whole MLPs {@code L_-1_P} ("mlp reconstruction error"), token
 * embeddings {@code E_V_P}, the logit {@code (n_layers+1)_V_P} with {@code Output "tok" (p=…)}. Loupe's per-path
 * nodes are merged; attention heads, which circuit-tracer folds into edges, are folded the same way (each input
 * of an expanded head becomes an edge to the head's parent; a head the search did not expand is left out); biases
 * and the pruned remainders have no circuit-tracer type and are left out (Loupe's {@code circuit.html} shows
 * them). Weights are Loupe's: each edge is the source's contribution to the target, in units of the root.
 */
public final class CircuitTracerJson {
    private static final ObjectMapper JSON = LoupeJson.mapper();

    /**
     * What the graph file says beside the graph.
     *
     * @param slug          the graph's name and file name
     * @param scan          the model it was made on
     * @param transcoders   the transcoder folders used
     * @param prompt        the prompt text
     * @param nLayers       the model's layers (the logit node sits at layer n_layers + 1)
     * @param targetToken   the root logit's token (its largest positive coefficient), −1 for a feature root
     * @param targetText    that token's text
     * @param probability   its probability at the last position
     * @param activations   feature activations by circuit-tracer node id
     */
    public record Info(String slug, String scan, List<String> transcoders, String prompt, int nLayers,
                       int targetToken, String targetText, double probability, Map<String, Double> activations) {

        /** The info for {@code g}, traced on {@code ids}: the target token's probability, the features' activations. */
        public static Info of(dev.loupe.api.Model model, Map<Integer, dev.loupe.dictionary.Transcoder> byLayer,
                              int[] ids, Circuits.Root root, CircuitGraph g, String slug, String scan,
                              List<String> transcoders, String prompt) {
            int last = ids.length - 1;
            int token = -1;
            double p = 0;
            String text = "";
            if (root instanceof Circuits.Root.Logit l) {
                for (int v = 0; v < l.direction().length; v++) {
                    if (l.direction()[v] > 0 && (token < 0 || l.direction()[v] > l.direction()[token])) {
                        token = v;
                    }
                }
                if (token >= 0) {
                    float[] logits = model.run(dev.loupe.api.RunRequest.of(ids)).logits().select(0).select(last)
                            .toArray();
                    p = dev.loupe.api.Logits.softmax(logits)[token];
                    text = model.tokenizer().decode(new int[] {token});
                }
            }
            Decomposition d = new Decomposition(model, byLayer, ids);
            Map<String, Double> activations = new LinkedHashMap<>();
            for (CircuitGraph.Node n : g.nodes()) {
                if (n.kind() == CircuitGraph.Kind.FEATURE) {
                    activations.put(n.layer() + "_" + n.index() + "_" + n.position(),
                            d.featureActivation(n.layer(), n.index(), n.position()));
                }
            }
            return new Info(slug, scan, List.copyOf(transcoders), prompt, model.spec().nLayers(), token, text, p,
                    activations);
        }
    }

    private CircuitTracerJson() {}

    /** The circuit-tracer id of a node, or null for kinds circuit-tracer has no node for. */
    static String id(CircuitGraph.Node n, CircuitGraph g, Info info) {
        return switch (n.kind()) {
            case FEATURE -> n.layer() + "_" + n.index() + "_" + n.position();
            case TRANSCODER_ERROR, MLP -> n.layer() + "_-1_" + n.position();
            case EMBEDDING -> "E_" + n.index() + "_" + n.position();
            case LOGIT -> (info.nLayers() + 1) + "_" + info.targetToken() + "_" + n.position();
            case ATTENTION_HEAD, SKIP, BIAS, PRUNED -> null;
        };
    }

    /** Linear paths circuit-tracer has no node for (attention heads, a transcoder's skip path): folded into edges. */
    private static boolean folded(CircuitGraph.Node n) {
        return n.kind() == CircuitGraph.Kind.ATTENTION_HEAD || n.kind() == CircuitGraph.Kind.SKIP;
    }

    /**
     * The edges into {@code through} as edges into {@code target}, through chains of folded nodes: each weight is
     * the source's contribution along the path, which is its direct effect on the target.
     */
    private static void foldInto(CircuitGraph g, Info info, CircuitGraph.Node through, String target,
                                 Map<String, Double> links) {
        for (CircuitGraph.Edge e : g.edges()) {
            if (e.target().equals(through.id())) {
                CircuitGraph.Node source = g.node(e.source());
                if (folded(source)) {
                    foldInto(g, info, source, target, links);
                } else if (id(source, g, info) != null) {
                    links.merge(id(source, g, info) + "\u0000" + target, e.weight(), Double::sum);
                }
            }
        }
    }

    public static ObjectNode of(CircuitGraph g, Info info) {
        Map<String, ObjectNode> nodes = new LinkedHashMap<>();
        double scale = Math.max(1e-12, Math.abs(g.root().value()));
        for (CircuitGraph.Node n : g.nodes()) {
            String id = id(n, g, info);
            if (id == null) {
                continue;
            }
            ObjectNode o = nodes.get(id);
            if (o == null) {
                nodes.put(id, node(n, id, info, Math.abs(n.value()) / scale));
            } else {
                o.put("influence", o.get("influence").asDouble() + Math.abs(n.value()) / scale);
            }
        }
        Map<String, Double> links = new LinkedHashMap<>();
        for (CircuitGraph.Edge e : g.edges()) {
            CircuitGraph.Node child = g.node(e.source());
            String target = id(g.node(e.target()), g, info);
            if (target == null) {
                continue;
            }
            if (folded(child)) {
                foldInto(g, info, child, target, links);
            } else {
                String source = id(child, g, info);
                if (source != null) {
                    links.merge(source + "\u0000" + target, e.weight(), Double::sum);
                }
            }
        }
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject("metadata").put("slug", info.slug()).put("scan", info.scan());
        ArrayNode list = meta.putArray("transcoder_list");
        info.transcoders().forEach(list::add);
        ArrayNode tokens = meta.putArray("prompt_tokens");
        g.promptTokens().forEach(tokens::add);
        meta.put("prompt", info.prompt()).putNull("node_threshold").put("schema_version", 1)
                .put("loupe_target", g.root().label());
        ObjectNode q = root.putObject("qParams");
        q.putArray("pinnedIds");
        q.putArray("supernodes");
        q.put("linkType", "both").put("clickedId", "").put("sg_pos", "");
        ArrayNode ns = root.putArray("nodes");
        nodes.values().forEach(ns::add);
        ArrayNode ls = root.putArray("links");
        links.forEach((key, weight) -> {
            String[] ends = key.split("\u0000");
            if (!ends[0].equals(ends[1])) {
                ls.addObject().put("source", ends[0]).put("target", ends[1]).put("weight", weight);
            }
        });
        return root;
    }

    private static ObjectNode node(CircuitGraph.Node n, String id, Info info, double influence) {
        ObjectNode o = JSON.createObjectNode().put("node_id", id);
        switch (n.kind()) {
            case FEATURE -> o.put("feature", cantor(n.layer(), n.index())).put("layer", String.valueOf(n.layer()))
                    .put("ctx_idx", n.position()).put("feature_type", "cross layer transcoder")
                    .put("jsNodeId", n.layer() + "_" + n.index() + "-0").put("clerp", "");
            case TRANSCODER_ERROR, MLP -> o.put("feature", -1).put("layer", String.valueOf(n.layer()))
                    .put("ctx_idx", n.position()).put("feature_type", "mlp reconstruction error")
                    .put("jsNodeId", n.layer() + "_-1-" + n.position()).put("clerp", "");
            case EMBEDDING -> o.put("feature", n.position()).put("layer", "E").put("ctx_idx", n.position())
                    .put("feature_type", "embedding").put("jsNodeId", "E_" + n.index() + "-" + n.position())
                    .put("clerp", "");
            default -> o.put("feature", info.targetToken()).put("layer", String.valueOf(info.nLayers() + 1))
                    .put("ctx_idx", n.position()).put("feature_type", "logit")
                    .put("jsNodeId", "L_" + info.targetToken() + "-" + n.position())
                    .put("clerp", String.format(java.util.Locale.ROOT, "Output \"%s\" (p=%.3f)", info.targetText(),
                            info.probability()));
        }
        boolean logit = n.kind() == CircuitGraph.Kind.LOGIT;
        o.put("token_prob", logit ? info.probability() : 0.0).put("is_target_logit", logit).put("run_idx", 0)
                .put("reverse_ctx_idx", 0).put("influence", influence);
        Double a = info.activations().get(id);
        if (a != null) {
            o.put("activation", a);
        } else {
            o.putNull("activation");
        }
        return o;
    }

    /** circuit-tracer's feature number for a (layer, feature) pair. */
    static long cantor(long layer, long feature) {
        return (layer + feature) * (layer + feature + 1) / 2 + feature;
    }

    /** Writes {@code dir/{slug}.json}, then adds it to {@code dir/graph-metadata.json} (replacing the same slug). */
    public static Path write(Path dir, CircuitGraph g, Info info) {
        ObjectNode doc = of(g, info);
        Path file = dir.resolve(info.slug() + ".json");
        AtomicFiles.write(file, tmp -> JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), doc));
        Path index = dir.resolve("graph-metadata.json");
        ObjectNode all = JSON.createObjectNode();
        ArrayNode graphs = all.putArray("graphs");
        if (Files.isRegularFile(index)) {
            try {
                for (var old : JSON.readTree(JsonLimits.check(index, JsonLimits.CONFIG).toFile()).path("graphs")) {
                    if (!info.slug().equals(old.path("slug").asText())) {
                        graphs.add(old);
                    }
                }
            } catch (IOException e) {
                throw new LoupeException(index + ": not valid JSON (" + String.valueOf(e.getMessage()).lines()
                        .findFirst().orElse("") + ")");
            }
        }
        graphs.add(doc.get("metadata"));
        AtomicFiles.write(index, tmp -> JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), all));
        return file;
    }
}
