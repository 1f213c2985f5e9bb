package dev.loupe.engine.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Capability;
import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.generation.GenerationRequest;
import dev.loupe.api.generation.Generator;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.objective.Objective;
import dev.loupe.api.objective.TokenTargets;
import dev.loupe.api.spi.ModelSource;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A plugin's intervention kind ({@link Intervention.Extension}): an engine with {@link Capability#CUSTOM_HOOKS}
 * runs it by its reference code at the positions it selects, in plain runs and in KV-cached generation, the same as
 * the built-in kind it mirrors; gradients refuse it by kind; an engine without custom hooks refuses it by kind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ExtensionConformance extends FamilyConformance {
    private static final HookPoint MLP_OUT = HookPoint.of(0, HookSite.MLP_OUT);
    private Model extensionModel;
    private int[] ids;

    /** x ↦ −x: what {@code Scale(−1)} does, as a plugin would write it. */
    record Negate(HookPoint hook, Positions positions) implements Intervention.Extension {
        @Override
        public String kind() {
            return "tck_negate";
        }

        @Override
        public Tensor apply(Tensor value) {
            return value.scale(-1);
        }

        @Override
        public Intervention withPositions(Positions p) {
            return new Negate(hook, p);
        }
    }

    @BeforeAll
    void loadExtensionModel() {
        extensionModel = engine().load(ModelSource.directory(GoldenFixtures.directory("gpt2-tiny")));
        ids = GoldenFixtures.ids("gpt2-tiny", 1);
    }

    @AfterAll
    void closeExtensionModel() {
        extensionModel.close();
    }

    @Test
    void aPluginKindRunsByItsReferenceCodeOrIsRefusedByKind() {
        RunRequest req = RunRequest.of(ids).withCache(MLP_OUT);
        Intervention plugin = new Negate(MLP_OUT, Positions.of(2));
        if (!engine().capabilities().contains(Capability.CUSTOM_HOOKS)) {
            LoupeException e = assertThrows(LoupeException.class, () -> extensionModel.run(
                    req.withInterventions(plugin)));
            assertTrue(e.getMessage().contains("'tck_negate'") && e.getMessage().contains(MLP_OUT.name()),
                    e.getMessage());
            return;
        }
        RunResult mine = extensionModel.run(req.withInterventions(plugin));
        RunResult builtIn = extensionModel.run(req.withInterventions(new Intervention.Scale(MLP_OUT, -1,
                Positions.of(2))));
        RunResult clean = extensionModel.run(req);
        assertTrue(mine.activation(MLP_OUT).maxAbsDiff(builtIn.activation(MLP_OUT)) < 1e-6);
        assertTrue(mine.logits().maxAbsDiff(builtIn.logits()) < 1e-5);
        Tensor a = mine.activation(MLP_OUT).select(0);
        Tensor c = clean.activation(MLP_OUT).select(0);
        assertTrue(a.select(1).maxAbsDiff(c.select(1)) < 1e-6, "other positions untouched");
        assertTrue(a.select(2).maxAbsDiff(c.select(2).scale(-1)) < 1e-6, "the selected position negated");

        int[][] prompts = {ids};
        for (boolean kvCache : new boolean[] {true, false}) {
            int[] steered = Generator.generate(extensionModel, GenerationRequest.builder(List.of(prompts))
                    .maxTokens(4).interventions(List.of(new Negate(MLP_OUT, Positions.all()))).kvCache(kvCache)
                    .build()).completions().get(0).tokens();
            int[] reference = Generator.generate(extensionModel, GenerationRequest.builder(List.of(prompts))
                    .maxTokens(4).interventions(List.of(new Intervention.Scale(MLP_OUT, -1, Positions.all())))
                    .kvCache(kvCache).build()).completions().get(0).tokens();
            assertArrayEquals(reference, steered, "generation, kv cache " + kvCache);
        }

        if (engine().capabilities().contains(Capability.GRADIENTS)) {
            Objective o = new Objective.TokenLogProb(new TokenTargets(0, new int[] {1}, new int[] {ids[2]}), 1);
            LoupeException e = assertThrows(LoupeException.class, () -> extensionModel.gradients(new GradientRequest(
                    RunRequest.of(ids).withInterventions(plugin), o, Set.of(), Set.of(MLP_OUT))));
            assertTrue(e.getMessage().contains("'tck_negate'"), e.getMessage());
        }
    }
}
