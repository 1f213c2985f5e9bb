package dev.loupe.method.steering;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import java.util.List;
import java.util.Set;

/**
 * The contrastive mean-difference baseline (CAA, Rimsky et al. 2024): v = mean over positive sequences minus mean
 * over negative ones of {@code blocks.L.hook_resid_pre} at each sequence's last token.
 */
public final class MeanDifference {
    private MeanDifference() {}

    public static Tensor vector(Model model, int layer, List<int[]> positives, List<int[]> negatives) {
        if (positives.isEmpty() || negatives.isEmpty()) {
            throw new LoupeException("a mean-difference vector needs at least one positive and one negative sequence");
        }
        return lastTokenMean(model, layer, positives).sub(lastTokenMean(model, layer, negatives));
    }

    /**
     * CAA from datapoints with both kinds of completion: positives are prompt + each promoted completion, negatives
     * prompt + each suppressed one (datapoints lacking either are left out); empty when none has both.
     */
    public static java.util.Optional<Tensor> ofPairs(Model model, int layer, List<Datapoint> points) {
        List<int[]> positives = new java.util.ArrayList<>();
        List<int[]> negatives = new java.util.ArrayList<>();
        for (Datapoint d : points) {
            if (!d.promote().isEmpty() && !d.suppress().isEmpty()) {
                d.promote().forEach(y -> positives.add(SteeringLosses.concat(d.prompt(), y)));
                d.suppress().forEach(y -> negatives.add(SteeringLosses.concat(d.prompt(), y)));
            }
        }
        return positives.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(vector(model, layer, positives, negatives));
    }

    private static Tensor lastTokenMean(Model model, int layer, List<int[]> sequences) {
        HookPoint hook = HookPoint.residPre(layer);
        Tensor acts = model.run(new RunRequest(sequences, RunRequest.Padding.LEFT, Set.of(hook), List.of(),
                RunRequest.LogitsMode.NONE)).activation(hook);
        int last = acts.size(1) - 1;
        float[] sum = new float[acts.size(2)];
        for (int b = 0; b < sequences.size(); b++) {
            float[] row = acts.select(b).select(last).toArray();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += row[i] / sequences.size();
            }
        }
        return Tensor.vector(sum);
    }
}
