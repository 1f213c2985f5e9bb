package dev.loupe.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.engine.tck.GoldenFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ONNX Runtime's thread count is Loupe's setting, checked, and does not change what a graph computes. */
class OnnxThreadsTest {
    @AfterEach
    void clear() {
        System.clearProperty(OnnxThreads.PROPERTY);
    }

    @Test
    void aCountIsAPositiveIntegerOrAOneLineErrorNamingItsSource() {
        assertEquals(3, OnnxThreads.parse(" 3", OnnxThreads.ENV));
        for (String bad : new String[] {"0", "-2", "two", ""}) {
            LoupeException e = assertThrows(LoupeException.class, () -> OnnxThreads.parse(bad, OnnxThreads.ENV));
            assertEquals("LOUPE_ONNX_THREADS is '" + bad + "' (expected a thread count of at least 1)", e.getMessage());
        }
    }

    @Test
    void oneThreadComputesWhatTheDefaultComputesAndABadSettingIsRefusedBeforeAnyGraph() {
        int[] ids = GoldenFixtures.ids("gpt2-tiny", 1);
        ModelSource source = ModelSource.directory(GoldenFixtures.directory("gpt2-tiny"));
        Tensor byDefault;
        try (Model m = new OnnxEngine().load(source)) {
            byDefault = m.run(RunRequest.of(ids)).logits();
        }
        System.setProperty(OnnxThreads.PROPERTY, "1");
        assertEquals(1, OnnxThreads.count());
        try (Model m = new OnnxEngine().load(source)) {
            Tensor single = m.run(RunRequest.of(ids)).logits();
            assertTrue(single.maxAbsDiff(byDefault) < 1e-5, "max |diff| " + single.maxAbsDiff(byDefault));
        }
        System.setProperty(OnnxThreads.PROPERTY, "many");
        try (Model m = new OnnxEngine().load(source)) {
            LoupeException e = assertThrows(LoupeException.class, () -> m.run(RunRequest.of(ids)));
            assertEquals("-Dloupe.onnx.threads is 'many' (expected a thread count of at least 1)", e.getMessage());
        }
    }
}
