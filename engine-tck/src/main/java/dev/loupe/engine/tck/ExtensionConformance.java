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
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.objective.GradientResult;
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
 * A plugin's intervention kind ({@link Intervention.Extension}) and splice function kind
 * ({@link SpliceFunction.Extension}): an engine with {@link Capability#CUSTOM_HOOKS} runs them by their reference
 * code, at the positions selected, in plain runs and in KV-cached generation, the same as the built-in kind each
 * mirrors; gradients refuse them by kind; an engine without custom hooks refuses them by kind. A plugin's objective
 * ({@link Objective.Extension}) differentiates on an engine with {@link Capability#GRADIENTS} like the built-in kind
 * it mirrors.
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

    /** y = x W + b, as {@code SpliceFunction.Affine} computes it, written as a plugin's reference code. */
    record AffineByCode(Tensor w, Tensor b) implements SpliceFunction.Extension {
        @Override
        public String kind() {
            return "tck_affine";
        }

        @Override
        public int dIn() {
            return w.size(0);
        }

        @Override
        public int dOut() {
            return w.size(1);
        }

        @Override
        public Tensor apply(Tensor source) {
            int in = dIn();
            int out = dOut();
            float[] x = source.toArray();
            float[] wv = w.toArray();
            float[] bv = b.toArray();
            int rows = x.length / in;
            float[] y = new float[rows * out];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < out; j++) {
                    double acc = bv[j];
                    for (int k = 0; k < in; k++) {
                        acc += (double) x[r * in + k] * wv[k * out + j];
                    }
                    y[r * out + j] = (float) acc;
                }
            }
            int[] shape = source.shape();
            shape[shape.length - 1] = out;
            return Tensor.of(y, shape);
        }
    }

    /** logits[a] − logits[b] at one row, as {@code Objective.LogitDifference} computes it, as a plugin's code. */
    record LogitDifferenceByCode(int position, int tokenA, int tokenB, boolean badGradient)
            implements Objective.Extension {
        @Override
        public String kind() {
            return "tck_logit_difference";
        }

        @Override
        public List<Objective.LogitRow> rows() {
            return List.of(new Objective.LogitRow(0, position));
        }

        @Override
        public double value(Tensor logits) {
            return logits.get(0, tokenA) - logits.get(0, tokenB);
        }

        @Override
        public Tensor gradient(Tensor logits) {
            int vocab = logits.shape()[1];
            float[] g = new float[badGradient ? vocab - 1 : vocab];
            g[tokenA] += 1;
            g[tokenB] -= 1;
            return badGradient ? Tensor.vector(g) : Tensor.of(g, 1, vocab);
        }
    }

    private static Tensor seeded(long seed, float scale, int... shape) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return Tensor.of(v, shape);
    }

    @Test
    void aPluginSpliceFunctionRunsByItsReferenceCodeOrIsRefusedByKind() {
        int d = extensionModel.spec().dModel();
        Tensor w = seeded(3, 0.1f, d, d);
        Tensor b = seeded(4, 0.1f, d);
        HookPoint source = HookPoint.residPre(0);
        RunRequest req = RunRequest.of(ids).withCache(MLP_OUT);
        Intervention plugin = new Intervention.Splice(MLP_OUT, source, new AffineByCode(w, b), Positions.all());
        if (!engine().capabilities().contains(Capability.CUSTOM_HOOKS)) {
            LoupeException e = assertThrows(LoupeException.class, () -> extensionModel.run(
                    req.withInterventions(plugin)));
            assertTrue(e.getMessage().contains("'tck_affine'") && e.getMessage().contains(MLP_OUT.name()),
                    e.getMessage());
            return;
        }
        RunResult mine = extensionModel.run(req.withInterventions(plugin));
        RunResult builtIn = extensionModel.run(req.withInterventions(new Intervention.Splice(MLP_OUT, source,
                new SpliceFunction.Affine(w, b), Positions.all())));
        assertTrue(mine.activation(MLP_OUT).maxAbsDiff(builtIn.activation(MLP_OUT)) < 1e-5,
                "max |diff| " + mine.activation(MLP_OUT).maxAbsDiff(builtIn.activation(MLP_OUT)));
        assertTrue(mine.logits().maxAbsDiff(builtIn.logits()) < 1e-4);
        assertTrue(mine.logits().maxAbsDiff(extensionModel.run(req).logits()) > 1e-3, "the splice changes the logits");
        if (engine().capabilities().contains(Capability.GRADIENTS)) {
            Objective o = new Objective.LogitDifference(0, 1, ids[2], ids[0]);
            LoupeException e = assertThrows(LoupeException.class, () -> extensionModel.gradients(new GradientRequest(
                    RunRequest.of(ids).withInterventions(plugin), o, Set.of(), Set.of(MLP_OUT))));
            assertTrue(e.getMessage().contains("'tck_affine'"), e.getMessage());
        }
    }

    /**
     * A plugin's objective differentiates like the built-in kind it mirrors, alone and in a weighted sum: same
     * value, same gradients of a trainable vector and of an activation (1e-5); a gradient of the wrong shape is an
     * error naming its kind.
     */
    @Test
    void aPluginObjectiveDifferentiatesLikeTheBuiltInKindItMirrors() {
        if (!engine().capabilities().contains(Capability.GRADIENTS)) {
            return;
        }
        int d = extensionModel.spec().dModel();
        Intervention.AddVector steer = new Intervention.AddVector(HookPoint.residPre(1), seeded(5, 0.5f, d));
        RunRequest run = RunRequest.of(ids).withInterventions(steer);
        Objective logProb = new Objective.TokenLogProb(new TokenTargets(0, new int[] {2}, new int[] {ids[3]}), 0.7);
        Objective mine = new Objective.WeightedSum(List.of(new Objective.Term(0.5,
                new LogitDifferenceByCode(1, ids[2], ids[0], false)), new Objective.Term(-1, logProb)));
        Objective builtIn = new Objective.WeightedSum(List.of(new Objective.Term(0.5,
                new Objective.LogitDifference(0, 1, ids[2], ids[0])), new Objective.Term(-1, logProb)));
        GradientResult a = extensionModel.gradients(new GradientRequest(run, mine, Set.of(0), Set.of(MLP_OUT)));
        GradientResult b = extensionModel.gradients(new GradientRequest(run, builtIn, Set.of(0), Set.of(MLP_OUT)));
        assertTrue(Math.abs(a.value() - b.value()) < 1e-5, a.value() + " vs " + b.value());
        assertTrue(a.parameterGradients().get(0).maxAbsDiff(b.parameterGradients().get(0)) < 1e-5);
        assertTrue(a.activationGradients().get(MLP_OUT).maxAbsDiff(b.activationGradients().get(MLP_OUT)) < 1e-5);
        assertTrue(a.parameterGradients().get(0).norm() > 1e-3, "a gradient flows");
        LoupeException e = assertThrows(LoupeException.class, () -> extensionModel.gradients(new GradientRequest(run,
                new LogitDifferenceByCode(1, ids[2], ids[0], true), Set.of(0), Set.of())));
        assertTrue(e.getMessage().contains("'tck_logit_difference'") && e.getMessage().contains("shape"),
                e.getMessage());
    }
}
