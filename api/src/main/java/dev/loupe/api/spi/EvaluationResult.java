package dev.loupe.api.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
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
}
