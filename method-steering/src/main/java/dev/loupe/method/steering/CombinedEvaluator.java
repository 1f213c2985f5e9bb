package dev.loupe.method.steering;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.api.spi.Evaluator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Several evaluators of the same prompts as one: their metrics side by side (names must not collide). */
public final class CombinedEvaluator implements Evaluator {
    private final List<Evaluator> parts;

    public CombinedEvaluator(List<Evaluator> parts) {
        if (parts.isEmpty()) {
            throw new LoupeException("nothing to evaluate");
        }
        this.parts = List.copyOf(parts);
    }

    /** The one evaluator when there is one, else their combination. */
    public static Evaluator of(List<Evaluator> parts) {
        return parts.size() == 1 ? parts.get(0) : new CombinedEvaluator(parts);
    }

    @Override
    public String name() {
        return String.join("+", parts.stream().map(Evaluator::name).toList());
    }

    @Override
    public String description() {
        return String.join("; ", parts.stream().map(Evaluator::description).toList());
    }

    @Override
    public EvaluationResult evaluate(Model model, EvaluationContext context) {
        Map<String, Double> metrics = new TreeMap<>();
        int examples = 0;
        for (Evaluator e : parts) {
            EvaluationResult r = e.evaluate(model, context);
            r.metrics().forEach((k, v) -> {
                if (metrics.put(k, v) != null) {
                    throw new LoupeException("two evaluators report '" + k + "'");
                }
            });
            examples = Math.max(examples, r.examples());
        }
        return new EvaluationResult(name(), metrics, examples);
    }
}
