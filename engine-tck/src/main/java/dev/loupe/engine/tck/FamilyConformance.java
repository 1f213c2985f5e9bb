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
import dev.loupe.api.io.SafetensorsFile;
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
 * The family half of the conformance kit: each {@link GoldenFixtures#FAMILIES} checkpoint (HF transformers 5.18,
 * every parameter randomised) loads and matches HF's logits, every {@code hook_resid_pre}/{@code hook_resid_post}
 * and {@code ln_final.hook_out} within 1e-4 · max(1, max |reference|); and {@code ln_final.hook_normalized} is
 * TransformerLens's (the last residual stream centred (LayerNorm) and divided by {@code ln_final.hook_scale},
 * before gain and bias). {@link EngineConformance} extends this, so an engine runs both with one class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FamilyConformance {
    /** The engine under test (a new or shared instance). */
    protected abstract Engine engine();

    private static final double RELATIVE_TOLERANCE = 1e-4;

    Stream<Arguments> familyCases() {
        return GoldenFixtures.FAMILIES.stream().flatMap(m -> Stream.of(0, 1, 2).map(s -> Arguments.of(m, s)));
    }

    @ParameterizedTest(name = "{0} seq{1}")
    @MethodSource("familyCases")
    void familyMatchesHuggingFace(String family, int seq) {
        Path dir = GoldenFixtures.family(family);
        try (Model m = engine().load(ModelSource.directory(dir));
             SafetensorsFile golden = SafetensorsFile.open(dir.resolve("activations.safetensors"))) {
            String prefix = "seq" + seq + ".";
            long[] ids = golden.longs(prefix + "input_ids");
            int[] tokens = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                tokens[i] = (int) ids[i];
            }
            Set<HookPoint> hooks = new LinkedHashSet<>();
            for (String name : golden.names()) {
                if (name.startsWith(prefix) && !name.endsWith("input_ids") && !name.endsWith("logits")) {
                    hooks.add(HookPoint.parse(name.substring(prefix.length())));
                }
            }
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
        double max = 0;
        for (float f : expected.toArray()) {
            max = Math.max(max, Math.abs(f));
        }
        double tolerance = RELATIVE_TOLERANCE * Math.max(1, max);
        double diff = expected.maxAbsDiff(unbatched);
        assertTrue(diff <= tolerance, what + ": max-abs difference " + diff + " > " + tolerance);
    }
}
