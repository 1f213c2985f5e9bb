package dev.loupe.api.spi;

import dev.loupe.api.Model;

/** A benchmark that scores a model (optionally under interventions) and returns metrics. */
public interface Evaluator {
    /** Unique short name, e.g. {@code greater-than}. */
    String name();

    String description();

    EvaluationResult evaluate(Model model, EvaluationContext context);
}
