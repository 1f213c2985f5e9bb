package dev.loupe.engine.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.ModelSource;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The family half of the conformance kit: each {@link GoldenFixtures#FAMILIES} and
 * {@link GoldenFixtures#LOUPE_FAMILIES} checkpoint (HF transformers 5.18,
 * every parameter randomised) loads and matches HF's logits, every {@code hook_resid_pre}/{@code hook_resid_post}
 * and {@code ln_final.hook_out} within 1e-4 · max(1, max |reference|); and {@code ln_final.hook_normalized} is
 * TransformerLens's (the last residual stream centred (LayerNorm) and divided by {@code ln_final.hook_scale},
 * before gain and bias); TransformerLens weight processing keeps the identities listed on its test.
 * {@link EngineConformance} extends this, so an engine runs both with one class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FamilyConformance {
    /** The engine under test (a new or shared instance). */
    protected abstract Engine engine();

    private static final double RELATIVE_TOLERANCE = 1e-4;

    Stream<Arguments> familyCases() {
        return GoldenFixtures.allFamilies().stream().flatMap(m -> Stream.of(0, 1, 2).map(s -> Arguments.of(m, s)));
    }

    @ParameterizedTest(name = "{0} seq{1}")
    @MethodSource("familyCases")
    void familyMatchesHuggingFace(String family, int seq) {
        Path dir = GoldenFixtures.family(family);
        try (Model m = engine().load(ModelSource.directory(dir));
             SafetensorsFile golden = SafetensorsFile.open(dir.resolve("activations.safetensors"))) {
            String prefix = "seq" + seq + ".";
            int[] tokens = GoldenFixtures.tokens(golden, prefix);
            Set<HookPoint> hooks = GoldenFixtures.storedHooks(golden, prefix);
            HookPoint scale = HookPoint.of(HookSite.LN_FINAL_SCALE);
            HookPoint normalized = HookPoint.of(HookSite.LN_FINAL_NORMALIZED);
            HookPoint lastResid = HookPoint.of(m.spec().nLayers() - 1, HookSite.RESID_POST);
            Set<HookPoint> cache = new LinkedHashSet<>(hooks);
            cache.addAll(Set.of(scale, normalized, lastResid));
            RunResult r = m.run(RunRequest.of(tokens).withCache(cache));
            compare(golden.tensor(prefix + "logits"), r.logits(), family + " logits");
            for (HookPoint h : hooks) {
                compare(golden.tensor(prefix + h.name()), r.activation(h), family + " " + h);
            }
            assertTrue(hooks.size() >= 2 * m.spec().nLayers() + 1, family + ": compared " + hooks.size() + " hooks");
            compare(tlNormalized(r.activation(lastResid), r.activation(scale), m.spec().norm()),
                    r.activation(normalized), family + " ln_final.hook_normalized (TransformerLens: before gain)");
        }
    }

    /**
     * TransformerLens weight processing ({@code LoadOptions.Processing.TRANSFORMER_LENS}) against the unprocessed
     * model, on one input, at every layer l, within 1e-4 · max(1, max |unprocessed|):
     * logits_p = logits − mean_vocab(logits) (centred unembedding; same softmax);
     * resid_pre_p(l) = C(resid_pre(l)), attn_out_p = C(attn_out), mlp_out_p = C(mlp_out), where C subtracts the
     * mean over d_model for LayerNorm models (centred writing weights) and is the identity for RMSNorm ones;
     * ln1.hook_scale, ln1.hook_normalized, attn.hook_pattern and mlp.hook_pre are unchanged (folded norms);
     * ln_final.hook_out_p = ln_final.hook_normalized (gain 1, no bias); hook_v_p − hook_v is the same at every
     * position (the value bias moved into b_O).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"gpt2-tiny", "neox-tiny", "llama-tiny",
            "families/gptj", "families/opt", "families/qwen2-sliding"})
    void transformerLensProcessingKeepsItsIdentities(String model) {
        Path dir = GoldenFixtures.directory(model);
        int[] ids = GoldenFixtures.ids(model, 2);
        try (Model plain = engine().load(ModelSource.directory(dir));
             Model tl = engine().load(ModelSource.directory(dir),
                     new dev.loupe.api.spi.LoadOptions("cpu", dev.loupe.api.spi.LoadOptions.Processing.TRANSFORMER_LENS))) {
            Set<HookPoint> hooks = new LinkedHashSet<>();
            for (int l = 0; l < plain.spec().nLayers(); l++) {
                for (HookSite s : new HookSite[] {HookSite.RESID_PRE, HookSite.ATTN_OUT, HookSite.MLP_OUT,
                        HookSite.LN1_SCALE, HookSite.LN1_NORMALIZED, HookSite.ATTN_PATTERN, HookSite.MLP_PRE,
                        HookSite.ATTN_V}) {
                    hooks.add(HookPoint.of(l, s));
                }
            }
            hooks.add(HookPoint.of(HookSite.LN_FINAL_NORMALIZED));
            hooks.add(HookPoint.of(HookSite.LN_FINAL_OUT));
            RunResult a = plain.run(RunRequest.of(ids).withCache(hooks));
            RunResult b = tl.run(RunRequest.of(ids).withCache(hooks));
            boolean layerNorm = plain.spec().norm() == dev.loupe.api.ModelSpec.NormKind.LAYER_NORM;
            close(centred(a.logits()), b.logits(), model + " logits");
            for (HookPoint h : hooks) {
                Tensor x = a.activation(h);
                switch (h.site()) {
                    case RESID_PRE, ATTN_OUT, MLP_OUT -> close(layerNorm ? centred(x) : x, b.activation(h), model + " " + h);
                    case ATTN_V -> close(perPositionDifference(b.activation(h), x), Tensor.zeros(x.shape()),
                            model + " " + h + " shifted by one vector");
                    case LN_FINAL_OUT -> close(a.activation(HookPoint.of(HookSite.LN_FINAL_NORMALIZED)),
                            b.activation(h), model + " " + h);
                    default -> close(x, b.activation(h), model + " " + h);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void processingIsRefusedWhereItsIdentitiesFail() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.loupe.api.LoupeException.class,
                () -> engine().load(ModelSource.directory(GoldenFixtures.family("gemma2")), new dev.loupe.api.spi.LoadOptions(
                        "cpu", dev.loupe.api.spi.LoadOptions.Processing.TRANSFORMER_LENS)).close());
        assertTrue(e.getMessage().contains("norms after sublayers") && e.getMessage().lines().count() == 1,
                e.getMessage());
    }

    /**
     * The q/k norms' hooks mean TransformerLens's {@code attn.q_norm} / {@code attn.k_norm} (RMSNorms on
     * {@code hook_q} / {@code hook_k}): {@code hook_scale} = √(mean(x²) + eps) over d_head per head, or over the whole
     * projection (OLMo-2); {@code hook_normalized} = x / scale, before the gain; {@code hook_out} is what the rotary
     * reads ({@code hook_rot_q} at position 0, where the rotation is the identity). Within 1e-5 · max(1, |x|).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"qwen3", "olmo2", "gemma3-text"})
    void qkNormHooksAreTransformerLens(String family) {
        try (Model m = engine().load(ModelSource.directory(GoldenFixtures.family(family)))) {
            int[] ids = GoldenFixtures.ids("families/" + family, 1);
            Set<HookPoint> hooks = new LinkedHashSet<>();
            for (int l = 0; l < m.spec().nLayers(); l++) {
                for (HookSite s : new HookSite[] {HookSite.ATTN_Q, HookSite.ATTN_K, HookSite.ATTN_ROT_Q, HookSite.ATTN_ROT_K}) {
                    hooks.add(HookPoint.of(l, s));
                }
                for (String norm : new String[] {"attn.q_norm", "attn.k_norm"}) {
                    var n = dev.loupe.api.NormHooks.of(norm, l);
                    hooks.addAll(java.util.List.of(n.scale(), n.normalized(), n.out()));
                }
            }
            RunResult r = m.run(RunRequest.of(ids).withCache(hooks));
            for (HookPoint h : hooks) {
                assertArrayEquals(m.spec().shapeOf(h, 1, ids.length), r.activation(h).shape(), family + " " + h);
            }
            for (int l = 0; l < m.spec().nLayers(); l++) {
                checkQkNorm(r, dev.loupe.api.NormHooks.of("attn.q_norm", l), HookPoint.of(l, HookSite.ATTN_Q),
                        HookPoint.of(l, HookSite.ATTN_ROT_Q), m.spec().normEps(), family);
                checkQkNorm(r, dev.loupe.api.NormHooks.of("attn.k_norm", l), HookPoint.of(l, HookSite.ATTN_K),
                        HookPoint.of(l, HookSite.ATTN_ROT_K), m.spec().normEps(), family);
            }
            HookPoint scale = dev.loupe.api.NormHooks.of("attn.q_norm", 0).scale();
            HookPoint rotQ = HookPoint.of(0, HookSite.ATTN_ROT_Q);
            RunResult doubled = m.run(RunRequest.of(ids).withCache(rotQ).withInterventions(
                    new dev.loupe.api.intervention.Intervention.Scale(scale, 2, dev.loupe.api.Positions.all())));
            close(r.activation(rotQ).scale(0.5f), doubled.activation(rotQ), family + " Scale(2) at " + scale);
        }
    }

    private static void checkQkNorm(RunResult r, dev.loupe.api.NormHooks n, HookPoint input, HookPoint rotated,
                                    double eps, String family) {
        float[] x = r.activation(input).toArray();
        float[] scale = r.activation(n.scale()).toArray();
        int group = x.length / scale.length;
        float[] expectedScale = new float[scale.length];
        float[] expectedNormalized = new float[x.length];
        for (int row = 0; row < scale.length; row++) {
            double sum = 0;
            for (int i = 0; i < group; i++) {
                sum += (double) x[row * group + i] * x[row * group + i];
            }
            expectedScale[row] = (float) Math.sqrt(sum / group + eps);
            for (int i = 0; i < group; i++) {
                expectedNormalized[row * group + i] = x[row * group + i] / expectedScale[row];
            }
        }
        Tensor in = r.activation(input);
        close(Tensor.of(expectedScale, r.activation(n.scale()).shape()), r.activation(n.scale()), family + " " + n.scale());
        close(Tensor.of(expectedNormalized, in.shape()), r.activation(n.normalized()), family + " " + n.normalized());
        close(r.activation(n.out()).slice(1, 0, 1), r.activation(rotated).slice(1, 0, 1),
                family + " " + n.out() + " is what the rotary reads");
    }

    /** x minus its mean over the last axis. */
    private static Tensor centred(Tensor x) {
        int n = x.size(x.rank() - 1);
        float[] a = x.toArray();
        for (int row = 0; row < a.length / n; row++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += a[row * n + i];
            }
            for (int i = 0; i < n; i++) {
                a[row * n + i] -= (float) (mean / n);
            }
        }
        return Tensor.of(a, x.shape());
    }

    /** (p − q) at each position minus (p − q) at position 0, for [1, pos, heads, d_head]. */
    private static Tensor perPositionDifference(Tensor p, Tensor q) {
        float[] d = p.sub(q).toArray();
        int row = d.length / p.size(1);
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = d[i] - d[i % row];
        }
        return Tensor.of(out, p.shape());
    }

    private static void close(Tensor expected, Tensor actual, String what) {
        double max = 0;
        for (float f : expected.toArray()) {
            max = Math.max(max, Math.abs(f));
        }
        double tolerance = RELATIVE_TOLERANCE * Math.max(1, max);
        double diff = expected.maxAbsDiff(actual);
        assertTrue(diff <= tolerance, what + ": max-abs difference " + diff + " > " + tolerance);
    }

    /** TransformerLens's hook_normalized from the norm's input x [1, pos, d] and hook_scale [1, pos, 1]. */
    static Tensor tlNormalized(Tensor x, Tensor scale, dev.loupe.api.ModelSpec.NormKind kind) {
        int pos = x.size(1), d = x.size(2);
        float[] in = x.toArray(), s = scale.toArray(), out = new float[in.length];
        for (int p = 0; p < pos; p++) {
            double mean = 0;
            if (kind == dev.loupe.api.ModelSpec.NormKind.LAYER_NORM) {
                for (int i = 0; i < d; i++) {
                    mean += in[p * d + i];
                }
                mean /= d;
            }
            for (int i = 0; i < d; i++) {
                out[p * d + i] = (float) ((in[p * d + i] - mean) / s[p]);
            }
        }
        return Tensor.of(out, x.shape());
    }

    private static void compare(Tensor expected, Tensor actual, String what) {
        assertEquals(1, actual.size(0), what + ": batch of one");
        Tensor unbatched = actual.reshape(expected.shape());
        assertArrayEquals(expected.shape(), unbatched.shape(), what);
        close(expected, unbatched, what);
    }
}
