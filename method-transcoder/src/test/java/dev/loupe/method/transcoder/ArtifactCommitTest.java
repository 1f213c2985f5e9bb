package dev.loupe.method.transcoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Model;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.toymodel.EmbeddedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-file artifacts: a harvest never overwrites what its manifest names. */
class ArtifactCommitTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondHarvestReplacesTheFirstOnlyWhenComplete() throws IOException {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            Path dir = tmp.resolve("acts");
            ActivationHarvest first = ActivationHarvest.run(m, 1, windows(m, 1), 300, 100, dir, Progress.NONE);
            Path orphan = Files.writeString(dir.resolve("shard-dead-00000.safetensors"), "a killed run's shard");
            Iterator<int[]> failing = new Iterator<>() {
                private final Iterator<int[]> w = windows(m, 2);
                private int calls;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public int[] next() {
                    if (++calls > 40) {
                        throw new IllegalStateException("killed");
                    }
                    return w.next();
                }
            };
            assertThrows(IllegalStateException.class,
                    () -> ActivationHarvest.run(m, 1, failing, 100_000, 100, dir, Progress.NONE));
            ActivationHarvest still = ActivationHarvest.open(dir);
            assertEquals(first.shards(), still.shards(), "the interrupted harvest left the first one complete");
            for (String s : still.shards()) {
                assertTrue(Files.isRegularFile(dir.resolve(s)), s);
            }
            ActivationHarvest second = ActivationHarvest.run(m, 1, windows(m, 3), 200, 100, dir, Progress.NONE);
            try (var files = Files.list(dir)) {
                assertEquals(second.shards().size() + 1, files.count(), "only the new shards and the manifest remain");
            }
            assertTrue(!Files.exists(orphan));
        }
    }

    private static Iterator<int[]> windows(Model m, long seed) {
        return TrainingPipelineTest.windows(m, seed);
    }
}
