package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A padded batch gives each sequence the logits and cache it gets alone, for both padding sides. */
class BatchingTest {
    @ParameterizedTest(name = "{0} {1}-padded")
    @CsvSource({"gpt2-tiny,LEFT", "gpt2-tiny,RIGHT", "llama-tiny,LEFT", "llama-tiny,RIGHT", "neox-tiny,LEFT"})
    void paddedBatchMatchesSingleRuns(String name, RunRequest.Padding padding) {
        try (Model m = GoldenModels.load(name)) {
            int[] shortSeq = GoldenModels.ids(name, 1);
            int[] longSeq = GoldenModels.ids(name, 2);
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
}
