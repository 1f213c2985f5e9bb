package dev.loupe.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * engine-djl and engine-onnx agree: on the embedded model and the three golden checkpoints, logits and every hook's
 * activation within max-abs 1e-4 on a left-padded batch of two, without interventions and with each kind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossEngineTest {
    private static final double TOLERANCE = 1e-4;
    private static final List<String> MODELS = List.of("embedded", "gpt2-tiny", "neox-tiny", "llama-tiny");
    private static final List<String> KINDS = List.of("none", "add", "ablate_direction", "clamp", "replace",
            "scale", "zero", "mean_ablate", "splice", "splice_sae", "clamp_feature");

    private final Plugins plugins = Plugins.discover();
    private final java.util.Map<String, Model[]> loaded = new java.util.HashMap<>();

    private double worstSeen;

    @AfterAll
    void close() {
        System.out.printf("CrossEngineTest: largest djl/onnx difference over all cases %.2e%n", worstSeen);
        loaded.values().forEach(pair -> Arrays.stream(pair).forEach(Model::close));
    }

    private Model[] models(String name) {
        return loaded.computeIfAbsent(name, n -> {
            Path dir = n.equals("embedded") ? ModelLoader.embedded() : Path.of(CliTest.golden(n));
            return new Model[] {plugins.engine("djl").load(ModelSource.directory(dir)),
                    plugins.engine("onnx").load(ModelSource.directory(dir))};
        });
    }

    Stream<Arguments> cases() {
        return MODELS.stream().flatMap(m -> KINDS.stream().map(k -> Arguments.of(m, k)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void logitsAndCachesAgree(String modelName, String kind) {
        Model[] pair = models(modelName);
        ModelSpec spec = pair[0].spec();
        Random rnd = new Random(kind.hashCode());
        int vocab = spec.dVocab();
        int[] shortSeq = rnd.ints(5, 1, vocab).toArray();
        int[] longSeq = rnd.ints(9, 1, vocab).toArray();
        Set<HookPoint> cache = new LinkedHashSet<>(spec.hookPoints());
        RunRequest base = new RunRequest(List.of(shortSeq, longSeq), RunRequest.Padding.LEFT, cache, List.of(),
                RunRequest.LogitsMode.ALL);
        List<Intervention> ivs = kind.equals("none") ? List.of() : List.of(intervention(kind, pair[0], base, rnd));
        RunResult djl = pair[0].run(base.withInterventions(ivs));
        RunResult onnx = pair[1].run(base.withInterventions(ivs));
        assertClose(djl.logits(), onnx.logits(), modelName + " " + kind + " logits");
        for (HookPoint h : cache) {
            assertClose(djl.activation(h), onnx.activation(h), modelName + " " + kind + " " + h);
        }
    }

    private static Intervention intervention(String kind, Model djl, RunRequest base, Random rnd) {
        ModelSpec spec = djl.spec();
        int last = spec.nLayers() - 1;
        Positions some = Positions.of(1, -1);
        return switch (kind) {
            case "add" -> new Intervention.AddVector(HookPoint.residPre(last), random(rnd, spec.dModel()), 2.5, some);
            case "ablate_direction" -> new Intervention.DirectionalAblation(HookPoint.of(0, HookSite.ATTN_OUT),
                    random(rnd, spec.dModel()), Positions.all());
            case "clamp" -> new Intervention.Clamp(HookPoint.of(0, HookSite.RESID_POST), random(rnd, spec.dModel()),
                    -1.5, Positions.range(2, 6));
            case "replace" -> {
                HookPoint at = HookPoint.of(last, HookSite.MLP_OUT);
                Tensor donor = djl.run(base.withCache(at)).activation(at).select(1);
                yield new Intervention.Replace(at, donor, Positions.of(0, 3, -1));
            }
            case "scale" -> new Intervention.Scale(HookPoint.of(0, HookSite.ATTN_Z), 0.3, Positions.all());
            case "zero" -> new Intervention.Zero(HookPoint.of(last, HookSite.ATTN_PATTERN), Positions.of(-1));
            case "mean_ablate" -> new Intervention.MeanAblate(HookPoint.of(0, HookSite.MLP_POST),
                    random(rnd, spec.dMlp()), some);
            case "splice" -> new Intervention.Splice(HookPoint.of(0, HookSite.MLP_OUT),
                    HookPoint.of(0, HookSite.LN2_OUT), sparseMlp(rnd, spec.dModel(), 4 * spec.dModel()),
                    Positions.all());
            case "splice_sae" -> new Intervention.Splice(HookPoint.residPre(last), HookPoint.residPre(last),
                    sparseMlp(rnd, spec.dModel(), 2 * spec.dModel()), some);
            case "clamp_feature" -> new Intervention.ClampFeature(HookPoint.of(0, HookSite.MLP_OUT),
                    HookPoint.of(0, HookSite.LN2_OUT), sparseMlp(rnd, spec.dModel(), 4 * spec.dModel()), 5, 3.0,
                    Positions.range(1, 4));
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static SpliceFunction.SparseMlp sparseMlp(Random rnd, int d, int features) {
        return new SpliceFunction.SparseMlp(random(rnd, d, features).scale(0.2f), random(rnd, features),
                random(rnd, features, d).scale(0.2f), random(rnd, d), random(rnd, d));
    }

    private static Tensor random(Random rnd, int... shape) {
        float[] data = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        return Tensor.of(data, shape);
    }

    /** Max-abs difference, where equal values (the −∞ of masked attention scores included) differ by 0. */
    private void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] a = expected.toArray();
        float[] b = actual.toArray();
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
            }
        }
        worstSeen = Math.max(worstSeen, worst);
        assertTrue(worst <= TOLERANCE, what + ": max-abs difference " + worst + " > " + TOLERANCE);
    }
}
