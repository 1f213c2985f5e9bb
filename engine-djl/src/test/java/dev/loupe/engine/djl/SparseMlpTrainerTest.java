package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RandomWeights;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.training.SparseMlpTrainer;
import dev.loupe.api.training.SparseMlpTrainingConfig;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Fitting a sparse MLP to a target that is itself a sparse combination of directions. */
class SparseMlpTrainerTest {
    private static final int D = 8;
    private static final int F = 32;

    static Tensor gaussian(Random r, double scale, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * r.nextGaussian());
        }
        return Tensor.of(v, shape);
    }

    static SpliceFunction.SparseMlp init(long seed) {
        Random r = new Random(seed);
        return new SpliceFunction.SparseMlp(gaussian(r, 0.3, D, F), Tensor.zeros(F), gaussian(r, 0.3, F, D),
                Tensor.zeros(D), Tensor.zeros(D));
    }

    /** y = ReLU(x)·2 − 1: a target a ReLU dictionary can express. */
    static Tensor[] batch(Random r, int n) {
        Tensor x = gaussian(r, 1, n, D);
        float[] y = x.toArray();
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.max(0, y[i]) * 2 - 1;
        }
        return new Tensor[] {x, Tensor.of(y, n, D)};
    }

    /**
     * PyTorch's grad mode is per thread and on in a fresh one: a trainer built and stepped on a worker thread (a
     * Spark task) must still update its leaves in place, and give what it gives on the thread that started DJL.
     */
    @Test
    void aTrainerOnAFreshThreadTrainsAsOnTheEngineThread() throws Exception {
        try (Model m = new DjlEngine().load(new ModelSource.InMemory(TrainerTest.tiny(),
                RandomWeights.of(TrainerTest.tiny(), 1, 0.02), null))) {
            SparseMlpTrainingConfig c = new SparseMlpTrainingConfig(1e-3, 1e-2, 5, 0.9, 0.999, 50, true);
            java.util.concurrent.Callable<float[]> train = () -> {
                Random data = new Random(9);
                try (SparseMlpTrainer t = m.sparseMlpTrainer(init(2), c)) {
                    for (int s = 0; s < 20; s++) {
                        Tensor[] b = batch(data, 64);
                        t.step(b[0], b[1]);
                    }
                    return t.parameters().wDec().toArray();
                }
            };
            float[] here = train.call();
            var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                org.junit.jupiter.api.Assertions.assertArrayEquals(here, pool.submit(train).get(), 1e-6f);
            } finally {
                pool.shutdown();
            }
        }
    }

    /** Two replicas stepping on halves of each batch, parts averaged, stay equal to one trainer on the whole batch. */
    @Test
    void dataParallelPartsAveragedEqualTheWholeBatchStep() {
        try (Model m = new DjlEngine().load(new ModelSource.InMemory(TrainerTest.tiny(),
                RandomWeights.of(TrainerTest.tiny(), 1, 0.02), null))) {
            SparseMlpTrainingConfig c = new SparseMlpTrainingConfig(1e-3, 1e-2, 5, 0.9, 0.999, 3, false);
            Random data = new Random(12);
            try (SparseMlpTrainer whole = m.sparseMlpTrainer(init(3), c);
                 SparseMlpTrainer a = m.sparseMlpTrainer(init(3), c);
                 SparseMlpTrainer b = m.sparseMlpTrainer(init(3), c)) {
                for (int s = 0; s < 30; s++) {
                    Tensor[] batch = batch(data, 128);
                    SparseMlpTrainer.Step one = whole.step(batch[0], batch[1]);
                    SparseMlpTrainer.Part pa = a.part(batch[0].slice(0, 0, 64), batch[1].slice(0, 0, 64));
                    SparseMlpTrainer.Part pb = b.part(batch[0].slice(0, 64, 128), batch[1].slice(0, 64, 128));
                    SparseMlpTrainer.Part mean = SparseMlpTrainer.Part.mean(List.of(pa, pb));
                    SparseMlpTrainer.Step two = a.apply(mean);
                    b.apply(mean);
                    assertEquals(one.loss(), two.loss(), 1e-5 * Math.max(1, one.loss()), "step " + s);
                    assertEquals(one.l0(), two.l0(), 1e-9, "step " + s);
                    assertEquals(one.dead(), two.dead(), "step " + s);
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.parameters().wDec().toArray(),
                        b.parameters().wDec().toArray(), 0f, "the replicas stay identical");
                org.junit.jupiter.api.Assertions.assertArrayEquals(whole.parameters().wDec().toArray(),
                        a.parameters().wDec().toArray(), 1e-4f, "and equal the whole-batch trainer");
                org.junit.jupiter.api.Assertions.assertArrayEquals(whole.parameters().wEnc().toArray(),
                        a.parameters().wEnc().toArray(), 1e-4f);
                assertEquals(whole.state().get("steps_since_fired").toArray()[0],
                        a.state().get("steps_since_fired").toArray()[0]);
            }
        }
    }

    @Test
    void lossFallsDecoderRowsStayUnitAndStateRestoresExactly() {
        try (Model m = new DjlEngine().load(new ModelSource.InMemory(TrainerTest.tiny(),
                RandomWeights.of(TrainerTest.tiny(), 1, 0.02), null))) {
            SparseMlpTrainingConfig c = new SparseMlpTrainingConfig(1e-3, 1e-2, 20, 0.9, 0.999, 50, true);
            Random data = new Random(4);
            try (SparseMlpTrainer t = m.sparseMlpTrainer(init(1), c)) {
                double first = 0;
                double last = 0;
                for (int s = 0; s < 300; s++) {
                    Tensor[] b = batch(data, 256);
                    SparseMlpTrainer.Step step = t.step(b[0], b[1]);
                    if (s == 0) {
                        first = step.mse();
                    }
                    last = step.mse();
                    assertTrue(step.l0() >= 0 && step.l0() <= F);
                }
                assertTrue(last < 0.1 * first, "mse " + first + " -> " + last);
                float[] w = t.parameters().wDec().toArray();
                for (int j = 0; j < F; j++) {
                    double norm = 0;
                    for (int k = 0; k < D; k++) {
                        norm += w[j * D + k] * w[j * D + k];
                    }
                    assertEquals(1, Math.sqrt(norm), 1e-4, "decoder row " + j);
                }
                assertEquals(300, t.steps());

                SpliceFunction.SparseMlp params = t.parameters();
                Map<String, Tensor> state = t.state();
                Tensor[] next = batch(new Random(77), 256);
                SparseMlpTrainer.Step a = t.step(next[0], next[1]);
                SpliceFunction.SparseMlp afterA = t.parameters();
                try (SparseMlpTrainer resumed = m.sparseMlpTrainer(init(9), c)) {
                    resumed.restore(params, state);
                    assertEquals(300, resumed.steps());
                    SparseMlpTrainer.Step b = resumed.step(next[0], next[1]);
                    assertEquals(a, b, "the same step from a restored state");
                    assertEquals(afterA.wEnc(), resumed.parameters().wEnc());
                }
            }
        }
    }

    @Test
    void badBatchesAndConfigsAreOneLineErrors() {
        try (Model m = new DjlEngine().load(new ModelSource.InMemory(TrainerTest.tiny(),
                RandomWeights.of(TrainerTest.tiny(), 1, 0.02), null));
             SparseMlpTrainer t = m.sparseMlpTrainer(init(1), SparseMlpTrainingConfig.defaults(1e-3))) {
            LoupeException e = assertThrows(LoupeException.class, () -> t.step(Tensor.zeros(4, 3), Tensor.zeros(4, D)));
            assertEquals("sparse MLP batch: expected x [n, 8] and y [n, 8], got [4, 3] and [4, 8]", e.getMessage());
        }
        assertThrows(LoupeException.class, () -> new SparseMlpTrainingConfig(-1, 1e-3, 0, 0.9, 0.999, 10, false));
    }
}
