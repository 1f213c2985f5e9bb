package dev.loupe.studies.toyworld.circuit;

import dev.loupe.method.transcoder.circuit.CircuitGraph;
import dev.loupe.method.transcoder.circuit.CircuitPage;
import dev.loupe.report.Charts;
import dev.loupe.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The greater-than study's page: the attribution graph ({@link CircuitPage}), its paths, feature curves and the sweep. */
public final class GreaterThanReport {
    private GreaterThanReport() {}

    /** The greater-than study's page: the graph, its feature ← head ← YY path, feature curves and the sweep. */
    public static HtmlReport build(GreaterThanCircuit c) {
        CircuitGraph g = c.graph();
        HtmlReport r = CircuitPage.intro(g);
        if (!c.path().isEmpty()) {
            r.paragraph("Strongest feature <- head <- YY path: " + String.join("  <-  ", c.path().stream()
                    .map(id -> g.node(id).label()).toList()));
        }
        for (GreaterThanCircuit.FeatureCurves f : c.features()) {
            curves(r, f, "; the prompt's YY is " + c.yy() + ".");
        }
        sweep(r, c.sweep());
        CircuitPage.nodes(r, g);
        return r;
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
}
