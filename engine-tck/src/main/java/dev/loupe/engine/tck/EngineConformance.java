package dev.loupe.engine.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Capability;
import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.ModelSource;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance kit: what every {@link Engine} must do, checked against the golden checkpoints in this jar. An
 * engine passes it with one JUnit class:
 *
 * <pre>{@code
 * class AcmeConformanceTest extends EngineConformance {
 *     protected Engine engine() { return new AcmeEngine(); }
 * }
 * }</pre>
 *
 * Golden logits and every stored activation within max-abs 1e-4 for GPT-2, GPT-NeoX and Llama (GQA); every hook
 * point cached with the shape its {@code ModelSpec} announces; each intervention kind's semantics; padded batches
 * equal to single runs on both sides; one-line errors for bad input. {@code Custom} interventions are checked only
 * on engines that declare {@link Capability#CUSTOM_HOOKS}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EngineConformance extends GenerationConformance {
    private static final double TOLERANCE = 1e-4;

    Stream<Arguments> cases() {
        return Stream.of("gpt2-tiny", "neox-tiny", "llama-tiny")
                .flatMap(m -> Stream.of(0, 1, 2).map(s -> Arguments.of(m, s)));
    }

    @ParameterizedTest(name = "{0} seq{1}")
    @MethodSource("cases")
    void logitsAndActivationsMatchReference(String model, int seq) {
        try (Model m = engine().load(ModelSource.directory(GoldenFixtures.directory(model)));
             SafetensorsFile golden = SafetensorsFile.open(GoldenFixtures.directory(model).resolve("activations.safetensors"))) {
            String prefix = "seq" + seq + ".";
            int[] tokens = GoldenFixtures.tokens(golden, prefix);
            Set<HookPoint> hooks = GoldenFixtures.storedHooks(golden, prefix);
            RunResult r = m.run(RunRequest.of(tokens).withCache(hooks));
            int compared = 0;
            compare(golden.tensor(prefix + "logits"), r.logits(), model + " logits");
            for (HookPoint h : hooks) {
                compare(golden.tensor(prefix + h.name()), r.activation(h), model + " " + h);
                compared++;
            }
            assertTrue(compared >= 15, "compared " + compared + " activations");
        }
    }

    private static void compare(Tensor expected, Tensor actual, String what) {
        assertEquals(1, actual.size(0), what + ": batch of one");
        Tensor unbatched = actual.reshape(expected.shape());
        assertArrayEquals(expected.shape(), unbatched.shape(), what);
        double diff = expected.maxAbsDiff(unbatched);
        assertTrue(diff <= TOLERANCE, what + ": max-abs difference " + diff + " > " + TOLERANCE);
    }

    @ParameterizedTest(name = "{0} {1}-padded")
    @CsvSource({"gpt2-tiny,LEFT", "gpt2-tiny,RIGHT", "llama-tiny,LEFT", "llama-tiny,RIGHT", "neox-tiny,LEFT"})
    void paddedBatchMatchesSingleRuns(String name, RunRequest.Padding padding) {
        try (Model m = engine().load(ModelSource.directory(GoldenFixtures.directory(name)))) {
            int[] shortSeq = GoldenFixtures.ids(name, 1);
            int[] longSeq = GoldenFixtures.ids(name, 2);
            HookPoint hook = HookPoint.of(1, dev.loupe.api.HookSite.RESID_POST);
            RunResult batch = m.run(new RunRequest(List.of(shortSeq, longSeq), padding, Set.of(hook), List.of(),
                    RunRequest.LogitsMode.ALL));
            assertArrayEquals(new int[] {7, 33}, batch.lengths());
            int offset = padding == RunRequest.Padding.LEFT ? 33 - 7 : 0;
            RunResult alone = m.run(RunRequest.of(shortSeq).withCache(hook));
            for (int p = 0; p < 7; p++) {
                double d = alone.logits().select(0).select(p).maxAbsDiff(batch.logits().select(0).select(offset + p));
                assertTrue(d < 1e-5, "logits at position " + p + " differ by " + d);
                double a = alone.activation(hook).select(0).select(p).maxAbsDiff(batch.activation(hook).select(0).select(offset + p));
                assertTrue(a < 1e-5, "activation at position " + p + " differs by " + a);
            }
            RunResult last = m.run(new RunRequest(List.of(shortSeq, longSeq), padding, Set.of(), List.of(),
                    RunRequest.LogitsMode.LAST));
            Tensor lastShort = last.logits().select(0);
            assertTrue(lastShort.maxAbsDiff(alone.logits().select(0).select(6)) < 1e-5, "LAST logits of the short sequence");
            for (float f : batch.logits().toArray()) {
                assertTrue(Float.isFinite(f), "padding must not produce NaN or infinity in logits");
            }
        }
    }

    @Test
    void everyHookPointIsCachedWithItsAnnouncedShape() {
        for (String name : GoldenFixtures.MODELS) {
            try (Model m = engine().load(ModelSource.directory(GoldenFixtures.directory(name)))) {
                int[] ids = GoldenFixtures.ids(name, 1);
                Set<HookPoint> all = new LinkedHashSet<>(m.spec().hookPoints());
                RunResult r = m.run(RunRequest.of(ids).withCache(all));
                for (HookPoint h : all) {
                    assertArrayEquals(m.spec().shapeOf(h, 1, ids.length), r.activation(h).shape(), name + " " + h);
                }
            }
        }
    }

    /**
     * Caching every hook point (which makes an engine take its plain path at every hook, fused ops off) leaves the
     * logits within 1e-5 · max(1, max |logit|) of a run that caches nothing (its fast paths on), on every golden
     * checkpoint, for a left-padded batch of two.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("generationModels")
    void fastPathsEqualThePlainPathEveryHookTakes(String name) {
        try (Model m = engine().load(ModelSource.directory(folder(name)))) {
            Random rnd = new Random(21);
            List<int[]> batch = List.of(rnd.ints(9, 1, m.spec().dVocab()).toArray(),
                    rnd.ints(5, 1, m.spec().dVocab()).toArray());
            RunRequest fast = new RunRequest(batch, RunRequest.Padding.LEFT, Set.of(), List.of(),
                    RunRequest.LogitsMode.ALL);
            Tensor plain = m.run(fast.withCache(new LinkedHashSet<>(m.spec().hookPoints()))).logits();
            close(plain, m.run(fast).logits(), 1e-5, name + ": fast path against the plain one");
        }
    }

    /** Eight threads sharing one model get, call by call, what the same calls give one after another. */
    @Test
    void concurrentRunsOnOneModelEqualSequentialOnes() throws Exception {
        try (Model m = engine().load(ModelSource.directory(GoldenFixtures.directory("llama-tiny")))) {
            int[] ids = GoldenFixtures.ids("llama-tiny", 2);
            HookPoint resid = HookPoint.of(1, HookSite.RESID_POST);
            java.util.List<RunRequest> requests = new java.util.ArrayList<>();
            for (int k = 0; k < 16; k++) {
                int[] prefix = java.util.Arrays.copyOf(ids, 4 + k);
                requests.add(RunRequest.of(prefix).withCache(resid).withInterventions(
                        new dev.loupe.api.intervention.Intervention.Scale(HookPoint.of(0, HookSite.MLP_OUT), 0.5 * k,
                                dev.loupe.api.Positions.all())));
            }
            java.util.List<RunResult> alone = requests.stream().map(m::run).toList();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round < 3; round++) {
                    java.util.List<java.util.concurrent.Future<RunResult>> futures = new java.util.ArrayList<>();
                    for (RunRequest r : requests) {
                        futures.add(pool.submit(() -> m.run(r)));
                    }
                    for (int k = 0; k < requests.size(); k++) {
                        RunResult together = futures.get(k).get();
                        assertTrue(alone.get(k).logits().maxAbsDiff(together.logits()) <= 1e-5, "request " + k);
                        assertTrue(alone.get(k).activation(resid).maxAbsDiff(together.activation(resid)) <= 1e-5,
                                "request " + k + " " + resid);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Past n_ctx is an error for learned and rotary positions alike (TransformerLens refuses it too). */
    @Test
    void aSequenceLongerThanTheContextIsOneLine() {
        for (String name : GoldenFixtures.MODELS) {
            try (Model m = engine().load(ModelSource.directory(GoldenFixtures.directory(name)))) {
                int[] ids = new int[m.spec().nCtx() + 1];
                LoupeException e = assertThrows(LoupeException.class, () -> m.run(RunRequest.of(ids)), name);
                assertTrue(e.getMessage().contains("longer than the model's context of " + m.spec().nCtx()),
                        e.getMessage());
            }
        }
    }

    @Test
    void aFolderWithoutACheckpointIsAnErrorNamingIt(@TempDir Path tmp) {
        LoupeException e = assertThrows(LoupeException.class, () -> engine().load(ModelSource.directory(tmp)));
        assertTrue(e.getMessage().contains(tmp.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    }

    @Test
    void anInterventionOfTheWrongShapeIsAnErrorNamingTheHook() {
        try (Model m = engine().load(ModelSource.directory(GoldenFixtures.directory("gpt2-tiny")))) {
            LoupeException e = assertThrows(LoupeException.class, () -> m.run(RunRequest.of(GoldenFixtures.ids(
                    "gpt2-tiny", 1)).withInterventions(new Intervention.AddVector(HookPoint.residPre(1),
                    Tensor.zeros(3)))));
            assertTrue(e.getMessage().contains("blocks.1.hook_resid_pre"), e.getMessage());
        }
    }

    @Test
    void weightsUnderTransformerLensNamesAndAnUnknownNameIsAOneLineError() {
        try (Model m = engine().load(ModelSource.directory(GoldenFixtures.directory("gpt2-tiny")))) {
            ModelSpec spec = m.spec();
            assertArrayEquals(new int[] {spec.nHeads(), spec.dModel(), spec.dHead()},
                    m.weights().get("blocks.0.attn.W_Q").shape());
            assertTrue(m.weights().has("W_U") && !m.weights().has("blocks.0.attn.W_X"));
            LoupeException e = assertThrows(LoupeException.class, () -> m.weights().get("blocks.0.attn.W_X"));
            assertTrue(e.getMessage().contains("'blocks.0.attn.W_X'"), e.getMessage());
            assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
            LoupeException near = assertThrows(LoupeException.class, () -> m.weights().get("blocks.9.attn.W_Q"));
            assertTrue(near.getMessage().contains("similar: blocks.0.attn.W_Q"), near.getMessage());
        }
    }

    private static final HookPoint RESID1 = HookPoint.residPre(1);
    private Model model;
    private int[] tokens;

    @BeforeAll
    void setUp() {
        model = engine().load(ModelSource.directory(GoldenFixtures.directory("gpt2-tiny")));
        tokens = GoldenFixtures.ids("gpt2-tiny", 1);
    }

    @AfterAll
    void tearDown() {
        model.close();
    }

    private RunResult run(int[] ids, Intervention... ivs) {
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
        assertEquals(0.0, zeroed.select(0).select(3).norm());
        // Scale(0) gives -0.0 where x < 0, so compare values, not bit patterns.
        assertEquals(0.0, zeroed.maxAbsDiff(scaled));
        assertEquals(zeroed, mean);
        if (!engine().capabilities().contains(Capability.CUSTOM_HOOKS)) {
            return;
        }
        Tensor custom = model.run(req.withInterventions(new Intervention.Custom(mlp, (h, x) -> {
            float[] a = x.toArray();
            for (int i = 0; i < 64; i++) {
                a[3 * 64 + i] = 0;
            }
            return Tensor.of(a, x.shape());
        }))).activation(mlp);
        assertEquals(zeroed, custom);
    }

    @Test
    void spliceWithAnAffineIdentityOfTheMlpInputFeedsIt() {
        HookPoint in = HookPoint.of(0, HookSite.LN2_OUT);
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
