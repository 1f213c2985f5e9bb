package dev.loupe.app.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.io.JsonLimits;
import dev.loupe.json.LoupeJson;
import dev.loupe.report.HtmlReport;
import dev.loupe.api.spi.EvaluationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The page {@code loupe eval --out} writes: per-task scores and, when the model has one, its training curve. */
public final class EvalReport {
    private EvalReport() {}

    public static HtmlReport build(String modelName, String engine, List<EvaluationResult> results, Path modelDir) {
        HtmlReport r = new HtmlReport("Loupe evaluation: " + modelName);
        r.paragraph("Engine " + engine + ". Held-out split of each task; accuracy is top-1 over the whole vocabulary.");
        Map<String, Double> accuracy = new LinkedHashMap<>();
        List<List<Object>> rows = new ArrayList<>();
        for (EvaluationResult e : results) {
            accuracy.put(e.evaluator(), e.metrics().getOrDefault("accuracy", 0.0));
            for (Map.Entry<String, Double> m : e.metrics().entrySet()) {
                rows.add(List.of(e.evaluator(), m.getKey(), m.getValue(), e.examples()));
            }
        }
        r.heading("Scores").bars("Held-out accuracy per task", accuracy)
                .table(List.of("task", "metric", "value", "examples"), rows);
        List<double[]> curve = lossCurve(modelDir);
        if (!curve.isEmpty()) {
            r.heading("Training").line("Training loss of the run that produced this model (mean over 20 steps)",
                    "step", "loss (nats/token)", curve);
        }
        return r;
    }

    /** (step, loss) points from the model directory's training.json, if any. */
    static List<double[]> lossCurve(Path modelDir) {
        List<double[]> points = new ArrayList<>();
        Path log = modelDir == null ? null : modelDir.resolve("training.json");
        if (log == null || !Files.isRegularFile(log)) {
            return points;
        }
        try {
            for (JsonNode p : LoupeJson.mapper().readTree(JsonLimits.check(log, JsonLimits.CONFIG).toFile()).path("loss_curve")) {
                points.add(new double[] {p.path("step").asDouble(), p.path("loss").asDouble()});
            }
        } catch (IOException e) {
            return List.of();
        }
        return points;
    }
}
