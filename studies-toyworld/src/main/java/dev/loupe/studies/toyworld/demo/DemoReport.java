package dev.loupe.studies.toyworld.demo;

import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.method.transcoder.TranscoderMetrics;
import dev.loupe.report.Charts;
import dev.loupe.report.HtmlReport;
import dev.loupe.studies.toyworld.circuit.GreaterThanReport;
import dev.loupe.studies.toyworld.obsprop.ObsPropReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The page {@code loupe demo} writes: the three methods on the embedded model, one section each. */
public final class DemoReport {
    private DemoReport() {}

    public static HtmlReport build(Demo d) {
        HtmlReport r = new HtmlReport("Loupe demo: the embedded model");
        r.paragraph("One-shot steering, a transcoder on the last MLP, the greater-than circuit through a transcoder "
                + "on MLP0 (where this model reads the YY token), and observable propagation, on Loupe's embedded "
                + "toy-world model. Stage times (s): " + d.seconds());
        r.section(steering(d.steering()));
        r.section(transcoder(d));
        r.section(GreaterThanReport.build(d.circuit()));
        r.section(ObsPropReport.features(d.features()));
        r.section(ObsPropReport.compare(d.comparison()));
        r.section(ObsPropReport.coupling(d.coupling()));
        return r;
    }

    static HtmlReport steering(SteeringDemo s) {
        HtmlReport r = new HtmlReport("One-shot steering: refusal");
        r.paragraph(String.format("A vector at the middle layer's resid_pre optimised on ONE forbidden request (%s): "
                + "promote 'Sure ,', suppress 'I cannot'; ||v|| = %.2f. Scored on held-out requests.",
                s.trainingPrompt(), s.norm()));
        List<double[]> loss = new ArrayList<>();
        for (int i = 0; i < s.loss().size(); i++) {
            loss.add(new double[] {i + 1, s.loss().get(i)});
        }
        r.line("Loss of the one training example per Adam iteration", "iteration", "loss", loss);
        List<List<Object>> rows = new ArrayList<>();
        for (EvaluationResult e : s.conditions()) {
            rows.add(List.of(e.evaluator(), e.metrics().getOrDefault("forbidden_refused", Double.NaN),
                    e.metrics().getOrDefault("benign_refused", Double.NaN), e.examples()));
        }
        r.table(List.of("condition", "forbidden requests refused", "benign requests refused", "examples"), rows);
        List<List<Object>> gens = new ArrayList<>();
        s.generations().forEach((prompt, texts) -> texts.forEach((k, v) -> gens.add(List.of(prompt, k, v))));
        r.heading("Before and after").table(List.of("held-out prompt", "condition", "greedy continuation"), gens);
        return r;
    }

    static HtmlReport transcoder(Demo d) {
        TranscoderMetrics m = d.transcoder();
        HtmlReport r = new HtmlReport("Transcoder on the last MLP");
        r.table(List.of("metric", "value"), List.of(
                List.of("l0", m.l0()), List.of("explained_variance", m.explainedVariance()),
                List.of("ce_loss_score", m.ceLossScore()), List.of("kl_div_with_sae", m.klDivWithSae()),
                List.of("dead fraction", m.deadFraction()),
                List.of("greater-than probability difference, clean", d.greaterThanClean().get("probability_difference")),
                List.of("… with the transcoder spliced in", d.greaterThanSpliced().get("probability_difference"))));
        Map<String, Double> density = new LinkedHashMap<>();
        int[] h = m.densityHistogram();
        int max = 1;
        for (int c : h) {
            max = Math.max(max, c);
        }
        for (int i = 0; i < h.length; i++) {
            density.put(String.format("1e%d to 1e%d", i - 6, i - 5), (double) h[i] / max);
        }
        r.bars("Live features per log10 firing-frequency bin (relative to the largest bin, " + max + ")", density);
        return r;
    }
}
