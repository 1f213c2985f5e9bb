package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.io.SafetensorsFile;
import dev.loupe.api.spi.ModelSource;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logits and every stored activation of the golden fixtures (computed by nanoGPT, llama2.c and HF transformers)
 * match within max-abs 1e-4.
 */
class GoldenMatchTest {
    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> cases() {
        return Stream.of("gpt2-tiny", "neox-tiny", "llama-tiny")
                .flatMap(m -> Stream.of(0, 1, 2).map(s -> Arguments.of(m, s)));
    }

    @ParameterizedTest(name = "{0} seq{1}")
    @MethodSource("cases")
    void logitsAndActivationsMatchReference(String model, int seq) {
        try (Model m = new DjlEngine().load(ModelSource.directory(TestData.golden(model)));
             SafetensorsFile golden = SafetensorsFile.open(TestData.golden(model).resolve("activations.safetensors"))) {
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
}
