package dev.loupe.method.transcoder.circuit;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.dictionary.Transcoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Finds the circuit behind one prediction: the greedy attribution graph from a root at the prompt's last token. */
public final class Circuits {
    /** What the graph explains. */
    public sealed interface Root {
        /** A linear functional on the logits (one coefficient per vocabulary entry). */
        record Logit(float[] direction, String label) implements Root {}

        /** A transcoder feature's pre-activation. */
        record Feature(int layer, int feature) implements Root {}
    }

    private Circuits() {}

    public static CircuitGraph trace(Model model, Map<Integer, Transcoder> transcoders, int[] ids, Root root, int k,
                                     int depth) {
        if (k < 1 || depth < 1) {
            throw new LoupeException("circuit search: k and depth must be at least 1, got k " + k + ", depth " + depth);
        }
        Decomposition d = new Decomposition(model, transcoders, ids);
        int last = ids.length - 1;
        List<String> tokens = new ArrayList<>();
        for (int id : ids) {
            tokens.add(model.tokenizer().decode(new int[] {id}));
        }
        return switch (root) {
            case Root.Logit l -> GreedySearch.search(d, d.logit(l.direction(), last), "logit", l.label(),
                    CircuitGraph.Kind.LOGIT, model.spec().nLayers(), -1, tokens, k, depth);
            case Root.Feature f -> GreedySearch.search(d, d.feature(f.layer(), f.feature(), last),
                    "F" + f.layer() + "." + f.feature() + "@" + last, "feature " + f.feature() + " of layer " + f.layer(),
                    CircuitGraph.Kind.FEATURE, f.layer(), f.feature(), tokens, k, depth);
        };
    }

    /** Every chain of node ids root → … → leaf through kept edges, for reading off path shapes. */
    public static List<List<CircuitGraph.Node>> paths(CircuitGraph g) {
        List<List<CircuitGraph.Node>> out = new ArrayList<>();
        walk(g, List.of(g.root()), out);
        return out;
    }

    private static void walk(CircuitGraph g, List<CircuitGraph.Node> path, List<List<CircuitGraph.Node>> out) {
        List<CircuitGraph.Node> children = g.children(path.get(path.size() - 1).id()).stream()
                .filter(n -> n.kind() != CircuitGraph.Kind.BIAS && n.kind() != CircuitGraph.Kind.PRUNED).toList();
        if (children.isEmpty()) {
            out.add(path);
            return;
        }
        for (CircuitGraph.Node c : children) {
            List<CircuitGraph.Node> longer = new ArrayList<>(path);
            longer.add(c);
            walk(g, longer, out);
        }
    }
}
