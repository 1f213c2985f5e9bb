package dev.loupe.api.spi;

import dev.loupe.api.intervention.Intervention;
import java.util.List;

/**
 * Settings for one evaluation.
 *
 * @param seed          seed for sampling examples
 * @param limit         at most this many examples (0: all)
 * @param interventions applied to every forward pass of the evaluation
 * @param progress      where to report progress
 */
public record EvaluationContext(long seed, int limit, List<Intervention> interventions, Progress progress) {
    public EvaluationContext {
        interventions = List.copyOf(interventions);
    }
}
