package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What each intervention kind does, checked on the golden GPT-2 checkpoint. */
class InterventionSemanticsTest {
    private static final HookPoint RESID1 = HookPoint.residPre(1);
    private static Model model;
    private static int[] tokens;

    @BeforeAll
    static void setUp() {
        model = GoldenModels.load("gpt2-tiny");
        tokens = GoldenModels.ids("gpt2-tiny", 1);
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    private static RunResult run(int[] ids, Intervention... ivs) {
        return model.run(RunRequest.of(ids).withCache(RESID1, HookPoint.of(1, HookSite.RESID_POST)).withInterventions(ivs));
    }

    private static Tensor randomVector(long seed) {
        Random r = new Random(seed);
        float[] v = new float[64];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.vector(v);
    }

    @Test
    void addingZeroVectorChangesNothingBitForBit() {
        RunResult clean = run(tokens);
        RunResult steered = run(tokens, new Intervention.AddVector(RESID1, Tensor.zeros(64)));
        assertEquals(clean.logits(), steered.logits());
        assertEquals(clean.activation(RESID1), steered.activation(RESID1));
    }

    @Test
    void addChangesTheHookByExactlyVAtChosenPositionsOnly() {
        Tensor v = randomVector(1);
        RunResult clean = run(tokens);
        RunResult steered = run(tokens, new Intervention.AddVector(RESID1, v, 1.0, Positions.of(1, -1)));
        Tensor before = clean.activation(RESID1);
        Tensor after = steered.activation(RESID1);
        for (int p = 0; p < 7; p++) {
            for (int i = 0; i < 64; i++) {
                float expected = (p == 1 || p == 6) ? before.get(0, p, i) + v.get(i) : before.get(0, p, i);
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(after.get(0, p, i)),
                        "position " + p + " dim " + i);
            }
        }
        assertNotEquals(clean.logits(), steered.logits());
    }

    @Test
    void directionalAblationLeavesNoComponentAlongD() {
        Tensor d = randomVector(2);
        Tensor unit = d.scale((float) (1 / d.norm()));
        RunResult r = run(tokens, new Intervention.DirectionalAblation(RESID1, d, Positions.all()));
        Tensor x = r.activation(RESID1);
        for (int p = 0; p < 7; p++) {
            double dot = x.select(0).select(p).dot(unit);
            assertTrue(Math.abs(dot) < 1e-5, "position " + p + ": x·d = " + dot);
        }
    }

    @Test
    void clampSetsTheComponentAlongVToTheCoefficient() {
        Tensor v = randomVector(3);
        RunResult r = run(tokens, new Intervention.Clamp(RESID1, v, 2.0, Positions.all()));
        Tensor x = r.activation(RESID1);
        for (int p = 0; p < 7; p++) {
            assertEquals(2.0 * v.dot(v), x.select(0).select(p).dot(v), 1e-3 * v.dot(v));
        }
    }

    @Test
    void patchingReproducesTheDonorRunWherePromptsAlign() {
        int[] donor = tokens.clone();
        donor[0] = (donor[0] + 17) % 512;
        donor[2] = (donor[2] + 5) % 512;
        HookPoint patchAt = HookPoint.of(0, HookSite.RESID_POST);
        RunResult donorRun = model.run(RunRequest.of(donor).withCache(patchAt, HookPoint.of(1, HookSite.RESID_POST)));
        RunResult patched = model.run(RunRequest.of(tokens).withCache(HookPoint.of(1, HookSite.RESID_POST))
                .withInterventions(new Intervention.Replace(RESID1, donorRun.activation(patchAt), Positions.range(0, 4))));
        Tensor want = donorRun.activation(HookPoint.of(1, HookSite.RESID_POST));
        Tensor got = patched.activation(HookPoint.of(1, HookSite.RESID_POST));
        for (int p = 0; p < 7; p++) {
            double diff = want.select(0).select(p).maxAbsDiff(got.select(0).select(p));
            if (p < 4) {
                assertTrue(diff < 1e-6, "patched position " + p + " differs from the donor by " + diff);
            } else {
                assertTrue(diff > 1e-3, "position " + p + " also sees the original tokens and should differ");
            }
        }
        for (int p = 0; p < 4; p++) {
            assertTrue(donorRun.logits().select(0).select(p).maxAbsDiff(patched.logits().select(0).select(p)) < 1e-5);
        }
    }

    @Test
    void scaleZeroMeanAblateAndCustomAgree() {
        HookPoint mlp = HookPoint.of(0, HookSite.MLP_OUT);
        RunRequest req = RunRequest.of(tokens).withCache(mlp);
        Tensor zeroed = model.run(req.withInterventions(new Intervention.Zero(mlp, Positions.of(3)))).activation(mlp);
        Tensor scaled = model.run(req.withInterventions(new Intervention.Scale(mlp, 0.0, Positions.of(3)))).activation(mlp);
        Tensor mean = model.run(req.withInterventions(
                new Intervention.MeanAblate(mlp, Tensor.zeros(64), Positions.of(3)))).activation(mlp);
        Tensor custom = model.run(req.withInterventions(new Intervention.Custom(mlp, (h, x) -> {
            float[] a = x.toArray();
            for (int i = 0; i < 64; i++) {
                a[3 * 64 + i] = 0;
            }
            return Tensor.of(a, x.shape());
        }))).activation(mlp);
        assertEquals(0.0, zeroed.select(0).select(3).norm());
        // Scale(0) gives -0.0 where x < 0, so compare values, not bit patterns.
        assertEquals(0.0, zeroed.maxAbsDiff(scaled));
        assertEquals(zeroed, mean);
        assertEquals(zeroed, custom);
    }

    @Test
    void spliceWithAnAffineIdentityOfTheMlpInputFeedsIt() {
        HookPoint in = HookPoint.of(0, HookSite.LN2_NORMALIZED);
        HookPoint out = HookPoint.of(0, HookSite.MLP_OUT);
        float[] eye = new float[64 * 64];
        for (int i = 0; i < 64; i++) {
            eye[i * 64 + i] = 1;
        }
        var identity = new dev.loupe.api.intervention.SpliceFunction.Affine(Tensor.of(eye, 64, 64), Tensor.zeros(64));
        RunResult r = model.run(RunRequest.of(tokens).withCache(in, out)
                .withInterventions(new Intervention.Splice(out, in, identity, Positions.all())));
        assertTrue(r.activation(in).maxAbsDiff(r.activation(out)) < 1e-6);
    }
}
