package dev.loupe.method.transcoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Model;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.api.training.SparseMlpTrainer;
import dev.loupe.toymodel.EmbeddedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three replicas on threads train the dictionary one trainer trains on the whole batches (ghost grads off). */
class DataParallelTrainingTest {
    @TempDir
    Path tmp;

    /** Replicas on threads of one JVM: a barrier, then every part, then a barrier so no step overwrites another. */
    static final class ThreadReplicas {
        private final SparseMlpTrainer.Part[] parts;
        private final CyclicBarrier barrier;

        ThreadReplicas(int count) {
            parts = new SparseMlpTrainer.Part[count];
            barrier = new CyclicBarrier(count);
        }

        Replicas replica(int rank) {
            return new Replicas() {
                @Override
                public int rank() {
                    return rank;
                }

                @Override
                public int count() {
                    return parts.length;
                }

                @Override
                public List<SparseMlpTrainer.Part> gather(SparseMlpTrainer.Part mine) {
                    try {
                        parts[rank] = mine;
                        barrier.await();
                        List<SparseMlpTrainer.Part> all = List.copyOf(Arrays.asList(parts));
                        barrier.await();
                        return all;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        }
    }

    @Test
    void replicasTrainTheSingleMachineDictionary() throws Exception {
        try (Model model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            ActivationHarvest h = ActivationHarvest.run(model, 2, TrainingPipelineTest.windows(model, 4), 4000, 4000,
                    tmp.resolve("acts"), Progress.NONE);
            TranscoderTraining.Config c = new TranscoderTraining.Config(2, 1.0, 1e-3, 10, 60, 300, 2400, 1000, false,
                    1000, 9);
            TranscoderTraining.Result single = TranscoderTraining.train(model, h, c, tmp.resolve("single"), false,
                    Progress.NONE);
            ThreadReplicas replicas = new ThreadReplicas(3);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<TranscoderTraining.Result>> runs = List.of(0, 1, 2).stream().map(rank -> pool.submit(
                        () -> TranscoderTraining.trainDataParallel(model, h, c, tmp.resolve("parallel"),
                                replicas.replica(rank), Progress.NONE))).toList();
                float[] first = runs.get(0).get().transcoder().mlp().wDec().toArray();
                for (Future<TranscoderTraining.Result> r : runs) {
                    assertArrayEquals(first, r.get().transcoder().mlp().wDec().toArray(), 0f, "replicas agree");
                }
                assertArrayEquals(single.transcoder().mlp().wDec().toArray(), first, 1e-4f, "W_dec");
                assertArrayEquals(single.transcoder().mlp().wEnc().toArray(),
                        runs.get(1).get().transcoder().mlp().wEnc().toArray(), 1e-4f, "W_enc");
                List<TranscoderTraining.Point> a = single.curve();
                List<TranscoderTraining.Point> b = runs.get(2).get().curve();
                assertEquals(a.size(), b.size());
                assertEquals(a.get(a.size() - 1).mse(), b.get(b.size() - 1).mse(), 1e-4 * a.get(a.size() - 1).mse());
                assertEquals(a.get(a.size() - 1).l0(), b.get(b.size() - 1).l0(), 1e-4 * a.get(a.size() - 1).l0(),
                        "L0 (a feature at its threshold may flip)");
            } finally {
                pool.shutdown();
            }
            assertTrue(Files.isRegularFile(tmp.resolve("parallel").resolve("cfg.json")), "replica 0 wrote it");
            assertTrue(Files.isRegularFile(tmp.resolve("parallel").resolve(TranscoderTraining.CHECKPOINT)),
                    "replica 0 checkpointed");
        }
    }
}
