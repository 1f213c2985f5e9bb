package dev.loupe.method.steering;

import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.api.spi.Evaluator;
import dev.loupe.api.spi.Progress;
import dev.loupe.vectors.SteeringPlacement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a steering vector transfers to a task's held-out split: the evaluator's metrics unsteered, with +v, with −v
 * and with a random vector of v's norm (the control), v applied as the placement says (prompt-only: every position).
 */
public final class TransferEvaluation {
    private TransferEvaluation() {}

    /** One result per condition, named "unsteered", "+v", "-v" and "random, same norm". */
    public static List<EvaluationResult> conditions(Model model, Evaluator task, SteeringPlacement placement, Tensor v,
                                                    long seed, int limit) {
        return conditions(model, task, placement, v, Map.of(), seed, limit);
    }

    /** As above, then one condition per baseline vector (e.g. CAA), applied the same way, in the map's order. */
    public static List<EvaluationResult> conditions(Model model, Evaluator task, SteeringPlacement placement, Tensor v,
                                                    Map<String, Tensor> baselines, long seed, int limit) {
        Map<String, Tensor> vectors = new LinkedHashMap<>();
        vectors.put("unsteered", null);
        vectors.put("+v", v);
        vectors.put("-v", v.scale(-1));
        vectors.put("random, same norm", OneShotSteering.randomOfSameNorm(v, seed));
        vectors.putAll(baselines);
        List<EvaluationResult> results = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : vectors.entrySet()) {
            List<Intervention> ivs = e.getValue() == null ? List.of()
                    : List.of(placement.intervention(e.getValue(), false, Integer.MAX_VALUE));
            EvaluationResult r = task.evaluate(model, new EvaluationContext(seed, limit, ivs, Progress.NONE));
            results.add(new EvaluationResult(e.getKey(), r.metrics(), r.examples()));
        }
        return results;
    }
}
