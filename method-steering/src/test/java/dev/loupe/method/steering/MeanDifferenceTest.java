package dev.loupe.method.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CAA baseline is the difference of last-token means of blocks.L.hook_resid_pre. */
class MeanDifferenceTest {
    @Test
    void differenceOfLastTokenMeans() {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            int[] a = m.tokenizer().encode("Senator Smith of Ohio is a");
            int[] b = m.tokenizer().encode("Senator Hill of Texas is");
            int[] c = m.tokenizer().encode("Senator King of Utah is a");
            HookPoint h = HookPoint.residPre(1);
            Tensor ra = last(m, a, h);
            Tensor rb = last(m, b, h);
            Tensor rc = last(m, c, h);
            Tensor v = MeanDifference.vector(m, 1, List.of(a, b), List.of(c));
            Tensor expected = ra.add(rb).scale(0.5f).sub(rc);
            assertTrue(expected.maxAbsDiff(v) < 1e-4, "left padding must not change the last token's activation");
            assertEquals(0.0, MeanDifference.vector(m, 1, List.of(a), List.of(a)).norm(), 1e-6);
        }
    }

    private static Tensor last(Model m, int[] ids, HookPoint h) {
        return m.run(RunRequest.of(ids).withCache(h)).activation(h).select(0).select(ids.length - 1);
    }
}
