package dev.loupe.method.transcoder.circuit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy top-k path search from a root read-out: each round decomposes every frontier node, pools the terms of all
 * of them over transcoder features, heads × source tokens (BOS excluded, as the original) and embeddings, and keeps
 * the k largest by |contribution|; kept features and heads become the next frontier. MLPs without a transcoder and
 * transcoder errors are error nodes: never expanded, never competing, always attached. Each expanded node gets an
 * edge from every kept child, its error nodes, its bias, and a pruned-remainder node holding what the dropped terms
 * summed to, so every expanded node's incoming weights add up to its value exactly.
 */
public final class GreedySearch {
    private GreedySearch() {}

    /** A frontier entry: the node and the read-out that decomposes it. */
    private record Open(CircuitGraph.Node node, Decomposition.Readout readout) {}

    public static CircuitGraph search(Decomposition d, Decomposition.Readout root, String rootId, String rootLabel,
                                      CircuitGraph.Kind rootKind, int rootLayer, int rootIndex, List<String> tokens,
                                      int k, int depth) {
        Map<String, CircuitGraph.Node> nodes = new LinkedHashMap<>();
        Map<String, Double> edges = new LinkedHashMap<>();
        CircuitGraph.Node top = new CircuitGraph.Node(rootId, rootKind, rootLayer, rootIndex, root.position(),
                d.value(root), rootLabel);
        nodes.put(top.id(), top);
        List<Open> frontier = List.of(new Open(top, root));
        for (int round = 0; round < depth && !frontier.isEmpty(); round++) {
            List<Candidate> pool = new ArrayList<>();
            Map<String, Double> totals = new HashMap<>();
            Map<String, Double> biases = new HashMap<>();
            Map<String, Double> errors = new HashMap<>();
            for (Open open : frontier) {
                double sum = 0;
                double bias = 0;
                double error = 0;
                for (Decomposition.Term term : d.terms(open.readout())) {
                    sum += term.value();
                    bias += term.kind() == CircuitGraph.Kind.BIAS ? term.value() : 0;
                    boolean fromBos = term.kind() == CircuitGraph.Kind.ATTENTION_HEAD && term.position() == 0;
                    if (term.kind() == CircuitGraph.Kind.MLP || term.kind() == CircuitGraph.Kind.TRANSCODER_ERROR) {
                        String id = id(term, open.node().id());
                        nodes.putIfAbsent(id, new CircuitGraph.Node(id, term.kind(), term.layer(), -1, term.position(),
                                term.value(), term.label()));
                        edges.put(id + "\u0000" + open.node().id(), term.value());
                        error += term.value();
                    } else if (!fromBos && term.kind() != CircuitGraph.Kind.BIAS) {
                        pool.add(new Candidate(open, term));
                    }
                }
                totals.put(open.node().id(), sum);
                biases.put(open.node().id(), bias);
                errors.put(open.node().id(), error);
            }
            pool.sort(Comparator.comparingDouble((Candidate c) -> Math.abs(c.term().value())).reversed());
            List<Candidate> kept = pool.subList(0, Math.min(k, pool.size()));
            Map<String, Double> keptPerParent = new HashMap<>();
            List<Open> next = new ArrayList<>();
            for (Candidate c : kept) {
                String parent = c.parent().node().id();
                String id = id(c.term(), parent);
                CircuitGraph.Node child = new CircuitGraph.Node(id, c.term().kind(), c.term().layer(), c.term().index(),
                        c.term().position(), c.term().value(), c.term().label());
                nodes.putIfAbsent(id, child);
                edges.merge(id + "\u0000" + parent, c.term().value(), Double::sum);
                keptPerParent.merge(parent, c.term().value(), Double::sum);
                if (c.term().child() != null) {
                    next.add(new Open(child, c.term().child()));
                }
            }
            for (Open open : frontier) {
                String parent = open.node().id();
                double bias = open.readout().bias() + biases.get(parent);
                addLeaf(nodes, edges, parent, "bias:" + parent, CircuitGraph.Kind.BIAS, "bias", open, bias);
                double pruned = totals.get(parent) - biases.get(parent) - errors.get(parent)
                        - keptPerParent.getOrDefault(parent, 0.0);
                addLeaf(nodes, edges, parent, "pruned:" + parent, CircuitGraph.Kind.PRUNED, "pruned", open, pruned);
            }
            frontier = next;
        }
        List<CircuitGraph.Edge> edgeList = new ArrayList<>();
        edges.forEach((key, weight) -> {
            String[] ends = key.split("\u0000");
            edgeList.add(new CircuitGraph.Edge(ends[0], ends[1], weight));
        });
        return new CircuitGraph(tokens, List.copyOf(nodes.values()), edgeList);
    }

    private record Candidate(Open parent, Decomposition.Term term) {}

    private static void addLeaf(Map<String, CircuitGraph.Node> nodes, Map<String, Double> edges, String parent,
                                String id, CircuitGraph.Kind kind, String label, Open open, double value) {
        nodes.put(id, new CircuitGraph.Node(id, kind, open.node().layer(), -1, open.node().position(), value, label));
        edges.put(id + "\u0000" + parent, value);
    }

    /**
     * Leaves (embeddings, whole MLPs, transcoder errors) are shared across paths; features, heads and skip paths are
     * expanded
     * with a path-specific read-out, so they are one node per path (the parent's id is part of theirs).
     */
    private static String id(Decomposition.Term t, String parent) {
        return switch (t.kind()) {
            case FEATURE -> "F" + t.layer() + "." + t.index() + "@" + t.position() + ">" + parent;
            case EMBEDDING -> "E" + t.index() + "@" + t.position();
            case MLP -> "M" + t.layer() + "@" + t.position();
            case TRANSCODER_ERROR -> "err" + t.layer() + "@" + t.position();
            case ATTENTION_HEAD -> "A" + t.layer() + "." + t.index() + "@" + t.position() + ">" + parent;
            case SKIP -> "S" + t.layer() + "@" + t.position() + ">" + parent;
            default -> t.label() + ">" + parent;
        };
    }
}
