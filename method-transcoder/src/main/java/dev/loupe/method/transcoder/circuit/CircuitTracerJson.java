package dev.loupe.method.transcoder.circuit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.io.AtomicFiles;
import java.nio.file.Path;

/**
 * Writes a {@link CircuitGraph} as circuit-tracer graph JSON ({@code metadata}, {@code qParams}, {@code nodes} with
 * {@code node_id}, {@code feature}, {@code layer}, {@code ctx_idx}, {@code feature_type}, {@code clerp},
 * {@code activation}, {@code influence}, {@code is_target_logit}; {@code links} with {@code source},
 * {@code target}, {@code weight}). Attention heads, biases and pruned remainders, which circuit-tracer folds into
 * edges, are nodes of their own here with feature types {@code attention head}, {@code bias} and {@code pruned}.
 */
public final class CircuitTracerJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CircuitTracerJson() {}

    public static ObjectNode of(CircuitGraph g, String slug, String prompt) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject("metadata").put("slug", slug).put("scan", "loupe").put("prompt", prompt);
        ArrayNode tokens = meta.putArray("prompt_tokens");
        g.promptTokens().forEach(tokens::add);
        root.putObject("qParams").put("linkType", "both").put("clickedId", "").putArray("pinnedIds");
        double scale = Math.max(1e-12, Math.abs(g.root().value()));
        ArrayNode nodes = root.putArray("nodes");
        for (CircuitGraph.Node n : g.nodes()) {
            nodes.addObject().put("node_id", n.id()).put("jsNodeId", n.id()).put("feature", n.index())
                    .put("layer", n.kind() == CircuitGraph.Kind.EMBEDDING ? "E" : String.valueOf(n.layer()))
                    .put("ctx_idx", n.position()).put("feature_type", type(n.kind())).put("clerp", n.label())
                    .put("activation", n.value()).put("influence", Math.abs(n.value()) / scale)
                    .put("is_target_logit", n == g.root() && n.kind() == CircuitGraph.Kind.LOGIT).put("token_prob", 0.0);
        }
        ArrayNode links = root.putArray("links");
        for (CircuitGraph.Edge e : g.edges()) {
            links.addObject().put("source", e.source()).put("target", e.target()).put("weight", e.weight());
        }
        return root;
    }

    public static void write(Path file, CircuitGraph g, String slug, String prompt) {
        ObjectNode doc = of(g, slug, prompt);
        AtomicFiles.write(file, tmp -> JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), doc));
    }

    static String type(CircuitGraph.Kind kind) {
        return switch (kind) {
            case LOGIT -> "logit";
            case FEATURE -> "cross layer transcoder";
            case EMBEDDING -> "embedding";
            case TRANSCODER_ERROR -> "mlp reconstruction error";
            case ATTENTION_HEAD -> "attention head";
            case MLP -> "mlp";
            case BIAS -> "bias";
            case PRUNED -> "pruned";
        };
    }
}
