package dev.loupe.method.transcoder.circuit;

import dev.loupe.report.HtmlReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An attribution graph as a self-contained HTML page: the graph as an SVG (rows are layers, columns tokens), and a
 * table of its nodes. The circuit method writes it beside the circuit-tracer graph files; studies build on it.
 */
public final class CircuitPage {
    private static final double WIDTH = 880;
    private static final double MARGIN = 150;
    private static final double ROW = 130;

    private CircuitPage() {}

    /** The page for any target: the graph and its nodes. */
    public static HtmlReport build(CircuitGraph g) {
        HtmlReport r = intro(g);
        nodes(r, g);
        return r;
    }

    /** A page with the prompt, the root value and the graph's figure, for a study to add sections to. */
    public static HtmlReport intro(CircuitGraph g) {
        HtmlReport r = new HtmlReport("Circuit: " + g.root().label());
        r.paragraph("Prompt: " + String.join(" ", g.promptTokens()) + String.format(Locale.ROOT,
                ". Root value %.3f. Greedy top-k paths through the transcoder; edge weight = the child's contribution "
                + "to the parent in root units (blue positive, red negative). Every expanded node's inputs, with its "
                + "bias and pruned remainder, add up to its value.", g.root().value()));
        r.figure(graph(g), "Attribution graph: rows are layers (embeddings at the bottom), columns are tokens.");
        return r;
    }

    /** The table of the graph's nodes. */
    public static void nodes(HtmlReport r, CircuitGraph g) {
        List<List<Object>> rows = new ArrayList<>();
        for (CircuitGraph.Node n : g.nodes()) {
            rows.add(List.of(n.label(), n.kind().toString(), n.layer(), n.position(), n.value()));
        }
        r.heading("Nodes").table(List.of("node", "kind", "layer", "token", "value"), rows);
    }

    static String graph(CircuitGraph g) {
        int tokens = Math.max(1, g.promptTokens().size());
        int top = g.root().layer() + 1;
        double height = (top + 3) * ROW;
        Map<String, double[]> at = new HashMap<>();
        Map<String, Integer> crowd = new HashMap<>();
        StringBuilder nodes = new StringBuilder();
        for (CircuitGraph.Node n : g.nodes()) {
            if (n.kind() == CircuitGraph.Kind.BIAS || n.kind() == CircuitGraph.Kind.PRUNED) {
                continue;
            }
            String cell = n.layer() + "/" + n.position();
            int k = crowd.merge(cell, 1, Integer::sum) - 1;
            double base = 40 + (n.position() + 0.5) * (WIDTH - MARGIN - 40) / tokens;
            double x = base + (k % 2 == 0 ? 1 : -1) * 16 * ((k + 1) / 2);
            double y = (top - n.layer()) * ROW + 30 + 14 * k;
            at.put(n.id(), new double[] {x, y});
            nodes.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\"><title>%s: %.3f"
                    + "</title></circle><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%s</text>", x, y, colour(n.kind()),
                    HtmlReport.escape(n.label()), n.value(), x + 8, y - 6, HtmlReport.escape(n.label())));
        }
        double scale = Math.max(1e-12, Math.abs(g.root().value()));
        StringBuilder edges = new StringBuilder();
        for (CircuitGraph.Edge e : g.edges()) {
            double[] a = at.get(e.source());
            double[] b = at.get(e.target());
            if (a == null || b == null) {
                continue;
            }
            edges.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-opacity=\"0.6\" stroke-width=\"%.2f\"/>", a[0], a[1], b[0], b[1],
                    e.weight() >= 0 ? "#2c7fb8" : "#c0392b", 0.5 + 6 * Math.min(1, Math.abs(e.weight()) / scale)));
        }
        StringBuilder axis = new StringBuilder();
        for (int t = 0; t < g.promptTokens().size(); t++) {
            axis.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s"
                    + "</text>", 40 + (t + 0.5) * (WIDTH - MARGIN - 40) / tokens, height - 8,
                    HtmlReport.escape(g.promptTokens().get(t))));
        }
        return String.format(Locale.ROOT, "<svg role=\"img\" aria-label=\"attribution graph\" width=\"%.0f\" "
                + "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">", WIDTH, height, WIDTH, height) + edges + nodes + axis
                + "</svg>";
    }

    private static String colour(CircuitGraph.Kind kind) {
        return switch (kind) {
            case LOGIT -> "#8e44ad";
            case FEATURE -> "#27ae60";
            case ATTENTION_HEAD -> "#e67e22";
            case EMBEDDING -> "#7f8c8d";
            case TRANSCODER_ERROR, MLP -> "#c0392b";
            default -> "#bbbbbb";
        };
    }
}
