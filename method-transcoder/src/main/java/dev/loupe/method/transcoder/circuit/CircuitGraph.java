package dev.loupe.method.transcoder.circuit;

import java.util.List;

/**
 * An attribution graph: nodes with their values and weighted edges child → parent, where a parent's value is the
 * sum of its children's edge weights plus its bias and its error node (what pruning left out). Streams index the
 * residual stream: 2l is {@code blocks.l.hook_resid_pre}, 2l + 1 is {@code blocks.l.hook_resid_mid}, 2L the final
 * residual.
 *
 * @param promptTokens the prompt, token by token
 * @param nodes        every node, the root first
 * @param edges        child → parent with the child's contribution to the parent (in root units)
 */
public record CircuitGraph(List<String> promptTokens, List<Node> nodes, List<Edge> edges) {
    /** What a node stands for. */
    public enum Kind {
        LOGIT, FEATURE, ATTENTION_HEAD, EMBEDDING, MLP, TRANSCODER_ERROR, BIAS, PRUNED,
        /** A transcoder's linear path from its input (x W_skip, a layer-normalising one's mean shift). */
        SKIP
    }

    /**
     * One node.
     *
     * @param id       unique, e.g. {@code F3.417@9} (feature 417 of the layer-3 transcoder at token 9)
     * @param kind     what it is
     * @param layer    its layer (−1 for embeddings, n_layers for the logit root)
     * @param index    feature index, head index, or −1
     * @param position the token it sits at (a head: its source token)
     * @param value    its contribution to the root along the path that reached it (the root: its own value)
     * @param label    a short human-readable name
     */
    public record Node(String id, Kind kind, int layer, int index, int position, double value, String label) {}

    /** child → parent with weight = the child's contribution to the parent's value. */
    public record Edge(String source, String target, double weight) {}

    public Node root() {
        return nodes.get(0);
    }

    public Node node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElse(null);
    }

    /** The nodes with an edge into {@code id}. */
    public List<Node> children(String id) {
        return edges.stream().filter(e -> e.target().equals(id)).map(e -> node(e.source())).toList();
    }
}
