package dev.loupe.studies.toyworld.obsprop;

import dev.loupe.method.obsprop.HeadAblation;
import dev.loupe.method.obsprop.ProbeCurve;
import dev.loupe.report.Charts;
import dev.loupe.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pages {@code loupe obsprop features|couple|compare --out DIR} write beside their JSON. */
public final class ObsPropReport {
    private ObsPropReport() {}

    public static HtmlReport features(FeatureStudy s) {
        HtmlReport r = new HtmlReport("ObsProp: feature vectors for she − he");
        r.paragraph("Every head and MLP ranked by the norm of its feature vector for the observable logit(she) − "
                + "logit(he), from the weights (one prompt per class linearises the MLPs), beside each head's "
                + "mean-ablation effect on held-in prompts. " + s.topThreeShared() + " of the top 3 heads by ablation "
                + "are among the top 3 by norm; the mover head " + s.mover() + " reads subject and object pronouns "
                + String.format("with feature vectors of cosine %.3f.", s.moverCosine()));
        Map<String, Double> norms = new LinkedHashMap<>();
        double top = s.byNorm().get(0).norm();
        s.byNorm().stream().limit(12).forEach(row -> norms.put(row.name(), row.norm() / top));
        r.heading("Ranking by norm").bars("Feature-vector norm relative to the largest (" + String.format("%.1f", top)
                + ")", norms);
        Map<String, Double> effects = new LinkedHashMap<>();
        double topEffect = Math.abs(s.byAblation().get(0).effect());
        for (HeadAblation.Effect e : s.byAblation().subList(0, Math.min(12, s.byAblation().size()))) {
            effects.put(String.format("L%dH%d", e.layer(), e.head()), Math.abs(e.effect()) / topEffect);
        }
        r.heading("Ranking by mean-ablation").bars("|drop of she − he| when the head is mean-ablated, relative to the "
                + "largest (" + String.format("%.2f", topEffect) + ")", effects);
        r.heading("LayerNorm rule").table(List.of("inputs", "d", "mean cosine", "mean angle (deg)", "bound (deg)"),
                List.of(List.of("real tokens, final norm", s.finalNormReal().dimension(), s.finalNormReal().meanCosine(),
                                s.finalNormReal().meanAngleDegrees(), s.finalNormReal().boundDegrees()),
                        List.of("Gaussian, unit gain", s.finalNormGaussian().dimension(),
                                s.finalNormGaussian().meanCosine(), s.finalNormGaussian().meanAngleDegrees(),
                                s.finalNormGaussian().boundDegrees())));
        return r;
    }

    public static HtmlReport coupling(CouplingStudy s) {
        HtmlReport r = new HtmlReport("ObsProp: coupling coefficients");
        r.paragraph(String.format("C(y1, y2) = y1·y2 / |y1|² beside the least-squares slope of x·y2 on x·y1 over %d "
                + "tokens of toy-world text (resid_pre, centred and RMS-normalised), for %d pairs of head feature "
                + "vectors. R² of C as a predictor of the slope: %.3f over each head's subject/object pair (the "
                + "paper's validation), %.3f over pairs of two heads of a layer, %.3f over all (correlation %.3f). "
                + "Where x·y2 is a function of x·y1 (fit r² near 1) the two agree; where the activations are "
                + "anisotropic in the pair's plane, they need not.", s.tokens(), s.pairs().size(),
                s.subjectObjectR2(), s.otherHeadsR2(), s.allR2(), s.correlation()));
        List<double[]> points = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (CouplingStudy.Pair p : s.pairs()) {
            points.add(new double[] {p.coupling(), p.slope()});
            rows.add(List.of(p.first(), p.second(), p.kind() == CouplingStudy.Kind.SUBJECT_OBJECT ? "subject/object"
                    : "two heads", p.coupling(), p.slope(), p.fitR2()));
        }
        r.figure(Charts.scatter("coupling coefficient vs fitted slope", "coupling coefficient C", "fitted slope",
                points, true), "Each point a pair of feature vectors; dashed: slope = C.");
        r.table(List.of("y1", "y2", "pair", "C", "slope", "fit r²"), rows);
        return r;
    }

    public static HtmlReport compare(ProbeComparison c) {
        HtmlReport r = new HtmlReport("ObsProp vs probes: data efficiency");
        r.paragraph(String.format("AUC on %d held-out tokens (%s, every token after the name, labelled by the "
                + "name's class). ObsProp's feature vector uses one prompt per class (to linearise the MLPs): %.3f. "
                + "Probes are trained on k tokens per class (drawn from training prompts) and averaged over repeated draws.", c.heldOut(),
                c.hook(), c.obsProp()));
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        series.put("ObsProp (k = 1)", List.of(new double[] {1, c.obsProp()},
                new double[] {ProbeComparison.KS[ProbeComparison.KS.length - 1], c.obsProp()}));
        series.put("logistic probe", new ArrayList<>());
        series.put("linear probe", new ArrayList<>());
        series.put("mean difference", new ArrayList<>());
        List<List<Object>> rows = new ArrayList<>();
        for (ProbeCurve.Row row : c.curve()) {
            series.get("logistic probe").add(new double[] {row.k(), row.logistic()});
            series.get("linear probe").add(new double[] {row.k(), row.linear()});
            series.get("mean difference").add(new double[] {row.k(), row.meanDifference()});
            rows.add(List.of(row.k(), row.logistic(), row.linear(), row.meanDifference()));
        }
        r.figure(Charts.lines("AUC against examples per class", "examples per class k (log scale)", "held-out AUC",
                series, true), "ObsProp needs no labels beyond one prompt per class; probes catch up with data.");
        r.table(List.of("k", "logistic", "linear", "mean difference"), rows);
        return r;
    }
}
