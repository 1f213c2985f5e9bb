package dev.loupe.app.report;

import dev.loupe.app.circuit.GreaterThanCircuit;
import dev.loupe.app.circuit.GreaterThanSweep;
import dev.loupe.method.transcoder.circuit.CircuitGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The page {@code loupe transcoder circuit} writes: the attribution graph as an SVG, its paths, and feature curves. */
public final class CircuitReport {
    private static final double WIDTH = 880;
    private static final double MARGIN = 150;
    private static final double ROW = 130;

    private CircuitReport() {}

    /** The page for any target: the graph and its nodes. */
    public static HtmlReport build(CircuitGraph g) {
        HtmlReport r = intro(g);
        nodes(r, g);
        return r;
    }

    /** The greater-than study's page: the graph, its feature ← head ← YY path, feature curves and the sweep. */
    public static HtmlReport build(GreaterThanCircuit c) {
        CircuitGraph g = c.graph();
        HtmlReport r = intro(g);
        if (!c.path().isEmpty()) {
            r.paragraph("Strongest feature <- head <- YY path: " + String.join("  <-  ", c.path().stream()
                    .map(id -> g.node(id).label()).toList()));
        }
        for (GreaterThanCircuit.FeatureCurves f : c.features()) {
            curves(r, f, "; the prompt's YY is " + c.yy() + ".");
        }
        sweep(r, c.sweep());
        nodes(r, g);
        return r;
    }

    private static HtmlReport intro(CircuitGraph g) {
        HtmlReport r = new HtmlReport("Circuit: " + g.root().label());
        r.paragraph("Prompt: " + String.join(" ", g.promptTokens()) + String.format(Locale.ROOT,
                ". Root value %.3f. Greedy top-k paths through the transcoder; edge weight = the child's contribution "
                + "to the parent in root units (blue positive, red negative). Every expanded node's inputs, with its "
                + "bias and pruned remainder, add up to its value.", g.root().value()));
        r.figure(graph(g), "Attribution graph: rows are layers (embeddings at the bottom), columns are tokens.");
        return r;
    }

    private static void nodes(HtmlReport r, CircuitGraph g) {
        List<List<Object>> rows = new ArrayList<>();
        for (CircuitGraph.Node n : g.nodes()) {
            rows.add(List.of(n.label(), n.kind().toString(), n.layer(), n.position(), n.value()));
        }
        r.heading("Nodes").table(List.of("node", "kind", "layer", "token", "value"), rows);
    }

    private static void sweep(HtmlReport r, GreaterThanSweep s) {
        r.heading("De-embedding peaks against logit-effect steps, over the task");
        r.paragraph(String.format(Locale.ROOT, "For each prompt YY = 02..98, the %d features that add most to the root, "
                + "each through the head that carries the most from the YY token into it: where the feature's "
                + "de-embedding through that head peaks, against the last year before its logit effect steps up (the "
                + "best two-level fit). Correlation %.2f over %d feature-head pairs; median distance %.1f years, median "
                + "offset %+.1f.", GreaterThanSweep.TOP, s.correlation(), s.pairs().size(), s.medianDistance(),
                s.medianOffset()));
        for (GreaterThanSweep.Pair p : s.pairs().subList(0, Math.min(3, s.pairs().size()))) {
            curves(r, p.curves(), String.format(Locale.ROOT, "; among the top features for %d prompts; de-embedding peak %d, logit "
                            + "effect steps up after %d.", p.prompts(), p.deEmbeddingPeak(), p.stepYear()));
        }
        List<double[]> points = s.pairs().stream().map(p -> new double[] {p.stepYear(), p.deEmbeddingPeak()}).toList();
        if (!points.isEmpty()) {
            r.figure(Charts.scatter("de-embedding peak against logit-effect step", "logit effect steps up after year",
                    "de-embedding peaks at YY", points, true), "One point per feature-head pair; dashed: equal.");
        }
        List<List<Object>> rows = new ArrayList<>();
        for (GreaterThanSweep.Pair p : s.pairs()) {
            rows.add(List.of(p.curves().feature(), p.curves().head(), p.prompts(), p.deEmbeddingPeak(), p.stepYear(), p.stepJump(),
                    p.activationPeak()));
        }
        r.table(List.of("feature", "head", "top for prompts", "de-embedding peak", "step after", "step size",
                "activation peak"), rows);
    }

    private static void curves(HtmlReport r, GreaterThanCircuit.FeatureCurves f, String note) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        series.put((f.weightsOnly() ? "de-embedding via " : "in context via ") + f.head(), curve(f.deEmbedding()));
        series.put("logit effect", curve(f.logitEffect()));
        r.figure(Charts.lines(f.feature(), "year YY", "relative effect", series, false), f.feature()
                + ": which YY tokens excite it through " + f.head() + (f.weightsOnly() ? " (weights only)"
                : " (the head's actual input at YY)") + " and which years it promotes (centred over the years); "
                + "each curve scaled to its largest magnitude" + note);
    }

    private static List<double[]> curve(double[] values) {
        double max = 1e-12;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            out.add(new double[] {i, values[i] / max});
        }
        return out;
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
