package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.objective.GradientResult;
import dev.loupe.api.objective.Objective;
import dev.loupe.api.objective.TokenTargets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Gradients of a vector added at blocks.0.hook_resid_pre agree with central finite differences. */
class GradientTest {
    private static final HookPoint HOOK = HookPoint.residPre(0);
    private static Model model;
    private static int[] tokens;
    private static Objective objective;

    @BeforeAll
    static void setUp() {
        model = GoldenModels.load("gpt2-tiny");
        tokens = GoldenModels.ids("gpt2-tiny", 1);
        int[] positions = {0, 1, 2, 3, 4, 5};
        int[] targets = Arrays.copyOfRange(tokens, 1, 7);
        objective = new Objective.TokenLogProb(new TokenTargets(0, positions, targets), 0.7);
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    private double value(Tensor v) {
        GradientRequest r = request(v);
        return model.gradients(r).value();
    }

    private GradientRequest request(Tensor v) {
        RunRequest run = RunRequest.of(tokens).withInterventions(new Intervention.AddVector(HOOK, v));
        return new GradientRequest(run, objective, Set.of(0), Set.of(HOOK));
    }

    /**
     * The objective's logits are computed at the rows it reads whatever the request's LogitsMode; the mode only says
     * which logits come back. Value and gradient agree across ALL / LAST / NONE (1e-5 relative), ALL's logits equal a
     * plain run's, and NONE returns none.
     */
    @Test
    void theLogitsModeSaysWhatComesBackNotWhatTheObjectiveSees() {
        float[] v0 = new float[64];
        java.util.Arrays.fill(v0, 0.1f);
        Tensor v = Tensor.vector(v0);
        GradientResult all = model.gradients(request(v));
        for (RunRequest.LogitsMode mode : List.of(RunRequest.LogitsMode.LAST, RunRequest.LogitsMode.NONE)) {
            GradientRequest r = request(v);
            GradientResult other = model.gradients(new GradientRequest(r.run().withLogits(mode), r.objective(),
                    r.trainable(), r.activationGradients()));
            assertEquals(all.value(), other.value(), 1e-5 * Math.abs(all.value()), mode.toString());
            assertTrue(all.parameterGradients().get(0).maxAbsDiff(other.parameterGradients().get(0))
                    <= 1e-5 * Math.max(1, all.parameterGradients().get(0).norm()), mode.toString());
        }
        Tensor plain = model.run(RunRequest.of(tokens).withInterventions(new Intervention.AddVector(HOOK, v))).logits();
        assertTrue(plain.maxAbsDiff(all.run().logits()) < 1e-5, "ALL's logits are a plain run's");
        GradientRequest none = request(v);
        assertThrows(IllegalStateException.class, () -> model.gradients(new GradientRequest(
                none.run().withLogits(RunRequest.LogitsMode.NONE), none.objective(), none.trainable(),
                none.activationGradients())).run().logits());
    }

    @Test
    void vectorGradientMatchesCentralDifferences() {
        Random rnd = new Random(7);
        float[] v0 = new float[64];
        for (int i = 0; i < v0.length; i++) {
            v0[i] = (float) rnd.nextGaussian() * 0.5f;
        }
        Tensor v = Tensor.vector(v0);
        GradientResult g = model.gradients(request(v));
        Tensor grad = g.parameterGradients().get(0);
        double eps = 1e-2;
        for (int trial = 0; trial < 6; trial++) {
            float[] u = new float[64];
            for (int i = 0; i < u.length; i++) {
                u[i] = (float) rnd.nextGaussian();
            }
            Tensor dir = Tensor.vector(u).scale((float) (1 / Tensor.vector(u).norm()));
            double numeric = (value(v.add(dir.scale((float) eps))) - value(v.sub(dir.scale((float) eps)))) / (2 * eps);
            double analytic = grad.dot(dir);
            double rel = Math.abs(numeric - analytic) / Math.max(Math.abs(numeric), 1e-3);
            assertTrue(rel < 1e-2, "direction " + trial + ": numeric " + numeric + " vs analytic " + analytic);
        }
    }

    @Test
    void activationGradientSumsToVectorGradient() {
        GradientResult g = model.gradients(request(Tensor.zeros(64)));
        Tensor act = g.activationGradients().get(HOOK);
        assertArrayEqualsShape(new int[] {1, 7, 64}, act.shape());
        float[] summed = new float[64];
        for (int p = 0; p < 7; p++) {
            for (int i = 0; i < 64; i++) {
                summed[i] += act.get(0, p, i);
            }
        }
        double diff = Tensor.vector(summed).maxAbsDiff(g.parameterGradients().get(0));
        assertTrue(diff < 1e-5, "sum over positions of d/dx differs from d/dv by " + diff);
        double logProb = g.value();
        assertTrue(logProb < 0, "a sum of log-probabilities is negative, got " + logProb);
    }

    @Test
    void suppressionAndLogitDifferenceObjectives() {
        int[] pos = {2};
        int[] tgt = {tokens[3]};
        GradientResult lp = model.gradients(new GradientRequest(RunRequest.of(tokens),
                new Objective.TokenLogProb(new TokenTargets(0, pos, tgt), 1.0), Set.of(), Set.of()));
        GradientResult sup = model.gradients(new GradientRequest(RunRequest.of(tokens),
                new Objective.TokenLogOneMinusProb(new TokenTargets(0, pos, tgt), 1.0), Set.of(), Set.of()));
        assertEquals(Math.log(1 - Math.exp(lp.value())), sup.value(), 1e-5);
        Tensor logits = lp.run().logits();
        GradientResult diff = model.gradients(new GradientRequest(RunRequest.of(tokens),
                new Objective.LogitDifference(0, 2, 5, 9), Set.of(), Set.of()));
        assertEquals(logits.get(0, 2, 5) - logits.get(0, 2, 9), diff.value(), 1e-5);
    }

    private static void assertArrayEqualsShape(int[] expected, int[] actual) {
        assertEquals(Arrays.toString(expected), Arrays.toString(actual));
    }
}
