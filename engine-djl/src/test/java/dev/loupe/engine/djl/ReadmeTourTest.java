package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.generation.GenerationRequest;
import dev.loupe.api.generation.GenerationResult;
import dev.loupe.api.generation.Generator;
import dev.loupe.api.generation.Sampling;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.objective.GradientResult;
import dev.loupe.api.objective.Objective;
import dev.loupe.api.objective.TokenTargets;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Java tour of README.md, kept compiling and running. */
class ReadmeTourTest {
    @Test
    void tour() {
        Engine engine = Plugins.discover().engine("djl");
        try (Model model = engine.load(ModelSource.directory(TestData.golden("gpt2-tiny")))) {
            int[] ids = {311, 229, 337, 396};
            HookPoint resid = HookPoint.parse("blocks.1.hook_resid_pre");

            RunResult clean = model.run(RunRequest.of(ids).withCache(resid));
            Tensor x = clean.activation(resid);

            Tensor v = Tensor.zeros(64);
            RunResult steered = model.run(RunRequest.of(ids)
                    .withInterventions(new Intervention.AddVector(resid, v, 1.0, Positions.of(-1))));

            Objective logProb = new Objective.TokenLogProb(new TokenTargets(0, new int[] {2}, new int[] {396}), 1.0);
            GradientResult g = model.gradients(new GradientRequest(
                    RunRequest.of(ids).withInterventions(new Intervention.AddVector(resid, v)),
                    logProb, Set.of(0), Set.of(resid)));
            Tensor dv = g.parameterGradients().get(0);

            GenerationResult out = Generator.generate(model, GenerationRequest.builder(ids).maxTokens(8)
                    .sampling(new Sampling(0.8, 50, 0.95, 1.0, 1))
                    .interventions(List.of(new Intervention.AddVector(resid, v, 4.0, Positions.generated())))
                    .cache(Set.of(resid)).build());

            Tensor wq = model.weights().get("blocks.0.attn.W_Q");

            assertArrayEquals(new int[] {1, 4, 64}, x.shape());
            assertEquals(clean.logits(), steered.logits());
            assertArrayEquals(new int[] {64}, dv.shape());
            assertArrayEquals(new int[] {4, 64, 16}, wq.shape());
            assertEquals(8, out.completions().get(0).tokens().length);
            assertArrayEquals(new int[] {1, 4 + 8, 64}, out.cache().get(resid).shape());
        }
    }
}
