package dev.loupe.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.Evaluator;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.eval.TaskEvaluator;
import dev.loupe.eval.toy.TaskExample;
import dev.loupe.toymodel.EmbeddedModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Where the embedded model compares years: replacing one MLP's output at the last token by its mean over the task's
 * prompts (which keeps what every prompt shares and removes what depends on YY) costs the most at MLP0, which is why
 * the greater-than circuit is traced through a transcoder on MLP0. Measured (200 held-out prompts): clean 0.899;
 * MLP0 0.619, MLP1 0.904, MLP2 0.898, MLP3 0.837.
 */
class GreaterThanMechanismTest {
    @Test
    void meanAblatingMlpZeroAtTheLastTokenCostsTheMostProbabilityDifference() {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            Evaluator gt = Plugins.discover().evaluator("greater-than");
            List<int[]> prompts = new ArrayList<>();
            for (TaskExample e : ((TaskEvaluator) gt).examples(0, 200)) {
                prompts.add(TaskEvaluator.promptIds(m.tokenizer(), e.prompt()));
            }
            int layers = m.spec().nLayers();
            Set<HookPoint> outs = new LinkedHashSet<>();
            for (int l = 0; l < layers; l++) {
                outs.add(HookPoint.of(l, HookSite.MLP_OUT));
            }
            var cached = m.run(new RunRequest(prompts, RunRequest.Padding.LEFT, outs, List.of(),
                    RunRequest.LogitsMode.NONE));
            double clean = difference(m, gt, List.of());
            double[] ablated = new double[layers];
            for (int l = 0; l < layers; l++) {
                HookPoint h = HookPoint.of(l, HookSite.MLP_OUT);
                Tensor acts = cached.activation(h);
                int last = acts.size(1) - 1;
                float[] mean = new float[acts.size(2)];
                for (int b = 0; b < acts.size(0); b++) {
                    float[] row = acts.select(b).select(last).toArray();
                    for (int k = 0; k < mean.length; k++) {
                        mean[k] += row[k] / acts.size(0);
                    }
                }
                ablated[l] = difference(m, gt, List.of(new Intervention.MeanAblate(h, Tensor.vector(mean),
                        Positions.of(-1))));
            }
            assertEquals(0.899, clean, 0.005);
            for (int l = 1; l < layers; l++) {
                assertTrue(clean - ablated[0] > clean - ablated[l] + 0.1, "MLP0 " + ablated[0] + " vs MLP" + l + " "
                        + ablated[l]);
            }
            assertTrue(clean - ablated[0] > 0.2, "MLP0 mean-ablated at the last token: " + ablated[0]);
        }
    }

    private static double difference(Model m, Evaluator gt, List<Intervention> interventions) {
        return gt.evaluate(m, new EvaluationContext(0, 200, interventions, Progress.NONE)).metrics()
                .get("probability_difference");
    }
}
