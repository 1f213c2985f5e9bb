package dev.loupe.api.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores from one evaluator.
 *
 * @param evaluator the evaluator's name
 * @param metrics   named scores, e.g. {@code accuracy}, in the evaluator's order
 * @param examples  how many examples were scored
 */
public record EvaluationResult(String evaluator, Map<String, Double> metrics, int examples) {
    public EvaluationResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** Results as a printed table: one row each, its examples, accuracy (when it has one) and its other metrics. */
    public static List<String> table(List<EvaluationResult> results) {
        List<String> out = new ArrayList<>();
        out.add(String.format("%-16s %8s %9s  %s", "task", "examples", "accuracy", "other metrics"));
        for (EvaluationResult r : results) {
            StringBuilder other = new StringBuilder();
            for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
                if (!m.getKey().equals("accuracy")) {
                    other.append(String.format("%s %.3f  ", m.getKey(), m.getValue()));
                }
            }
            out.add(String.format("%-16s %8d %9.3f  %s", r.evaluator(), r.examples(), r.metrics().get("accuracy"),
                    other.toString().strip()));
        }
        return out;
    }
}
