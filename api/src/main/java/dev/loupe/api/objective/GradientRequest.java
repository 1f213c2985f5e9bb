package dev.loupe.api.objective;

import dev.loupe.api.HookPoint;
import dev.loupe.api.RunRequest;
import java.util.Set;

/**
 * Differentiate an objective through one forward pass.
 *
 * @param run                 the forward pass (its interventions may hold trainable tensors)
 * @param objective           the scalar to differentiate
 * @param trainable           indices into {@code run.interventions()} whose {@code parameter()} gets a gradient
 * @param activationGradients hook points whose activations (after interventions) get a gradient
 */
public record GradientRequest(RunRequest run, Objective objective, Set<Integer> trainable,
                              Set<HookPoint> activationGradients) {
    public GradientRequest {
        trainable = Set.copyOf(trainable);
        activationGradients = Set.copyOf(activationGradients);
        for (int i : trainable) {
            if (i < 0 || i >= run.interventions().size() || run.interventions().get(i).parameter().isEmpty()) {
                throw new IllegalArgumentException("trainable index " + i + " does not name an intervention with a tensor");
            }
        }
    }
}
