package dev.loupe.api.objective;

import dev.loupe.api.HookPoint;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import java.util.Map;

/**
 * The objective's value, its gradients, and the forward pass that produced them.
 *
 * @param value                value of the objective
 * @param parameterGradients   d value / d parameter, keyed by intervention index
 * @param activationGradients  d value / d activation, keyed by hook point
 * @param run                  logits and cache of the forward pass
 */
public record GradientResult(double value, Map<Integer, Tensor> parameterGradients,
                             Map<HookPoint, Tensor> activationGradients, RunResult run) {
    public GradientResult {
        parameterGradients = Map.copyOf(parameterGradients);
        activationGradients = Map.copyOf(activationGradients);
    }
}
