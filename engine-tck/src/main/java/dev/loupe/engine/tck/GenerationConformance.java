package dev.loupe.engine.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Generation;
import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.generation.GenerationRequest;
import dev.loupe.api.generation.GenerationResult;
import dev.loupe.api.generation.Generator;
import dev.loupe.api.generation.Sampling;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.ModelSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generation part of the conformance kit: on every golden checkpoint, a left-padded batch of three prompts of
 * 3, 7 and 12 tokens (past the sliding window of 8 where a family has one), greedy, with and without a steering
 * vector, generates the same tokens with the engine's KV cache as by rerunning the whole sequence, with logits within
 * 1e-4 · max(1, max |logit|) at every step; the trajectory's activations equal a forward of the final sequences
 * (same tolerance), and each pass's activations handed to the listener are the same cached and rerun; greedy
 * generation of many prompts in batches gives each prompt's own continuation. Engines without a KV cache pass
 * trivially (both paths rerun).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GenerationConformance extends DictionaryConformance {
    private static final double RELATIVE_TOLERANCE = 1e-4;
    private static final int NEW_TOKENS = 8;

    Stream<String> generationModels() {
        return Stream.concat(GoldenFixtures.MODELS.stream(), GoldenFixtures.allFamilies().stream());
    }

    /** A golden checkpoint's folder, by the name {@link #generationModels} gives it. */
    static Path folder(String name) {
        return GoldenFixtures.MODELS.contains(name) ? GoldenFixtures.directory(name) : GoldenFixtures.family(name);
    }

    private static List<int[]> prompts(int vocab) {
        Random rnd = new Random(5);
        List<int[]> out = new ArrayList<>();
        for (int n : new int[] {3, 7, 12}) {
            out.add(rnd.ints(n, 1, vocab).toArray());
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generationModels")
    void cachedGenerationEqualsRerunningTheSequence(String name) {
        try (Model m = engine().load(ModelSource.directory(folder(name)))) {
            List<int[]> prompts = prompts(m.spec().dVocab());
            Random rnd = new Random(9);
            float[] v = new float[m.spec().dModel()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rnd.nextGaussian();
            }
            HookPoint mid = HookPoint.residPre(m.spec().nLayers() / 2);
            List<List<Intervention>> settings = List.of(List.of(),
                    List.of(new Intervention.AddVector(mid, Tensor.vector(v), 2.0, Positions.all())));
            for (List<Intervention> ivs : settings) {
                GenerationRequest.Builder b = GenerationRequest.builder(prompts).maxTokens(NEW_TOKENS)
                        .interventions(ivs).keepLogits(true);
                GenerationResult cached = Generator.generate(m, b.kvCache(true).build());
                GenerationResult full = Generator.generate(m, b.kvCache(false).build());
                String what = name + (ivs.isEmpty() ? "" : " steered");
                assertEquals(NEW_TOKENS, cached.steps(), what);
                for (int i = 0; i < prompts.size(); i++) {
                    assertArrayEquals(full.completions().get(i).tokens(), cached.completions().get(i).tokens(),
                            what + " sequence " + i);
                }
                for (int s = 0; s < NEW_TOKENS; s++) {
                    close(full.logits().get(s), cached.logits().get(s), what + " step " + s + " logits");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generationModels")
    void hooksDuringGenerationEqualAForwardOfTheFinalSequences(String name) {
        try (Model m = engine().load(ModelSource.directory(folder(name)))) {
            int last = m.spec().nLayers() - 1;
            Set<HookPoint> hooks = Set.of(HookPoint.residPre(0), HookPoint.of(last, HookSite.RESID_POST),
                    HookPoint.of(last, HookSite.ATTN_PATTERN), HookPoint.of(0, HookSite.ATTN_Z));
            List<int[]> prompts = prompts(m.spec().dVocab());
            Map<HookPoint, List<Tensor>> cachedPasses = new HashMap<>();
            Map<HookPoint, List<Tensor>> rerunPasses = new HashMap<>();
            GenerationResult r = Generator.generate(m, GenerationRequest.builder(prompts).maxTokens(5)
                    .cache(hooks).build(), collect(cachedPasses));
            Generator.generate(m, GenerationRequest.builder(prompts).maxTokens(5).cache(hooks).kvCache(false).build(),
                    collect(rerunPasses));
            for (HookPoint h : hooks) {
                List<Tensor> cached = cachedPasses.get(h);
                assertEquals(r.steps() + 1, cached.size(), name + " " + h + ": the prompt's pass and one per token");
                assertEquals(r.cache().get(h).size(h.site().shape().positionAxis()),
                        cached.stream().mapToInt(t -> t.size(h.site().shape().positionAxis())).sum(), name + " " + h);
                for (int k = 0; k < cached.size(); k++) {
                    close(rerunPasses.get(h).get(k), cached.get(k), name + " " + h + " pass " + k + " (rerun)");
                }
            }
            List<int[]> finals = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int[] p = prompts.get(i);
                int[] g = r.completions().get(i).tokens();
                int[] all = java.util.Arrays.copyOf(p, p.length + g.length);
                System.arraycopy(g, 0, all, p.length, g.length);
                finals.add(all);
            }
            var reference = m.run(new RunRequest(finals, RunRequest.Padding.LEFT, hooks, List.of(),
                    RunRequest.LogitsMode.NONE));
            for (HookPoint h : hooks) {
                close(reference.activation(h), r.cache().get(h), name + " " + h);
            }
        }
    }

    private static dev.loupe.api.generation.TokenListener collect(Map<HookPoint, List<Tensor>> into) {
        return new dev.loupe.api.generation.TokenListener() {
            @Override
            public void onToken(int sequence, int token) {}

            @Override
            public void onActivations(int pass, Map<HookPoint, Tensor> added) {
                added.forEach((h, t) -> into.computeIfAbsent(h, k -> new ArrayList<>()).add(t));
            }
        };
    }

    @Test
    void batchedGreedyGenerationEqualsEachPromptsOwnCall() {
        try (Model m = engine().load(ModelSource.directory(GoldenFixtures.directory("gpt2-tiny")))) {
            int nCtx = m.spec().nCtx();
            Random rnd = new Random(13);
            List<int[]> prompts = new ArrayList<>();
            for (int n : new int[] {2, 9, 4, 4, 11, nCtx - 3, 6, 1, 5, 8, nCtx}) {
                prompts.add(rnd.ints(n, 1, m.spec().dVocab()).toArray());
            }
            float[] v = new float[m.spec().dModel()];
            java.util.Arrays.fill(v, 0.5f);
            List<Intervention> steer = List.of(new Intervention.AddVector(HookPoint.residPre(1), Tensor.vector(v), 1.0,
                    Positions.all()));
            List<int[]> batched = Generation.greedy(m, prompts, 6, steer, 7);
            assertEquals(prompts.size(), batched.size());
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(Generation.greedy(m, prompts.get(i), 6, steer, 7), batched.get(i), "prompt " + i);
            }
            assertEquals(3, batched.get(5).length, "near the context end: 3 tokens fit");
            assertEquals(0, batched.get(10).length, "a prompt that fills the context");
        }
    }

    @Test
    void badGenerationRequestsAreOneLineErrors() {
        try (Model m = engine().load(ModelSource.directory(GoldenFixtures.directory("gpt2-tiny")))) {
            int[] tooLong = new int[m.spec().nCtx()];
            java.util.Arrays.fill(tooLong, 1);
            LoupeException ctx = assertThrows(LoupeException.class,
                    () -> Generator.generate(m, GenerationRequest.builder(tooLong).build()));
            assertTrue(ctx.getMessage().contains("fills the model's context of " + m.spec().nCtx()), ctx.getMessage());
            assertThrows(LoupeException.class, () -> GenerationRequest.builder(new int[] {1}).maxTokens(0).build());
            assertThrows(LoupeException.class, () -> new Sampling(-1, 0, 1, 1, 0));
            assertThrows(LoupeException.class, () -> new Sampling(1, 0, 0, 1, 0));
            assertThrows(LoupeException.class, () -> new Sampling(1, 0, 1.5, 1, 0));
            assertThrows(LoupeException.class,
                    () -> GenerationRequest.builder(new int[] {1}).stopStrings(List.of("")).build());
        }
    }

    private static void close(Tensor expected, Tensor actual, String what) {
        close(expected, actual, RELATIVE_TOLERANCE, what);
    }

    /** Within {@code tolerance} · max(1, max |finite expected|), equal infinities included. */
    static void close(Tensor expected, Tensor actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] a = expected.toArray();
        float[] b = actual.toArray();
        double scale = 1;
        for (float x : a) {
            if (Float.isFinite(x)) {
                scale = Math.max(scale, Math.abs(x));
            }
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, a[i] == b[i] ? 0 : Math.abs(a[i] - b[i]));
        }
        assertTrue(worst <= tolerance * scale, what + ": max |diff| " + worst + " > " + tolerance + " * " + scale);
    }
}
