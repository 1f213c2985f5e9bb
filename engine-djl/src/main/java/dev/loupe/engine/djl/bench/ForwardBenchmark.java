package dev.loupe.engine.djl.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RandomWeights;
import dev.loupe.api.RunRequest;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.engine.djl.DjlEngine;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Times the DJL forward on a random model: plain, with every hook cached, and the summed time of the same
 * matmuls run bare on the same engine (the floor any forward on that engine pays).
 */
public final class ForwardBenchmark {
    /** One measured configuration; times are medians in milliseconds. */
    public record Row(int batch, int seq, double forwardMs, double forwardFullCacheMs, double matmulMs) {
        public double overheadRatio() {
            return forwardMs / matmulMs;
        }
    }

    private ForwardBenchmark() {}

    /** A GPT-2-small-shaped spec (12 layers, d_model 768, 12 heads, vocabulary 50257, context 1024). */
    public static ModelSpec gpt2Small() {
        return new ModelSpec("gpt2", 12, 768, 12, 12, 64, 3072, 50257, 1024, ModelSpec.NormKind.LAYER_NORM, 1e-5,
                ModelSpec.PositionalKind.LEARNED, 0, 0, ModelSpec.Activation.GELU_TANH, false, false, true);
    }

    public static List<Row> run(ModelSpec spec, int seq, int[] batches, int iterations) {
        List<Row> rows = new ArrayList<>();
        try (Model model = new DjlEngine().load(new ModelSource.InMemory(spec, RandomWeights.of(spec, 1, 0.02), null))) {
            SplittableRandom rnd = new SplittableRandom(2);
            for (int b : batches) {
                List<int[]> seqs = new ArrayList<>();
                for (int i = 0; i < b; i++) {
                    seqs.add(rnd.ints(seq, 0, spec.dVocab()).toArray());
                }
                RunRequest plain = new RunRequest(seqs, RunRequest.Padding.RIGHT, java.util.Set.of(), List.of(),
                        RunRequest.LogitsMode.ALL);
                RunRequest cached = plain.withCache(new HashSet<>(spec.hookPoints()));
                double fwd = median(iterations, () -> model.run(plain));
                double full = median(iterations, () -> model.run(cached));
                rows.add(new Row(b, seq, fwd, full, matmuls(spec, b, seq, iterations)));
            }
        }
        return rows;
    }

    private static double matmuls(ModelSpec s, int b, int t, int iterations) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            long rows = (long) b * t;
            int d = s.dModel();
            int hd = s.nHeads() * s.dHead();
            int kvd = s.nKvHeads() * s.dHead();
            NDArray x = m.randomNormal(new Shape(rows, d));
            NDArray xm = m.randomNormal(new Shape(rows, s.dMlp()));
            NDArray z = m.randomNormal(new Shape(rows, hd));
            NDArray wq = m.randomNormal(new Shape(d, hd));
            NDArray wkv = m.randomNormal(new Shape(d, kvd));
            NDArray wo = m.randomNormal(new Shape(hd, d));
            NDArray win = m.randomNormal(new Shape(d, s.dMlp()));
            NDArray wout = m.randomNormal(new Shape(s.dMlp(), d));
            NDArray wu = m.randomNormal(new Shape(d, s.dVocab()));
            NDArray q = m.randomNormal(new Shape(b, s.nHeads(), t, s.dHead()));
            NDArray kT = m.randomNormal(new Shape(b, s.nHeads(), s.dHead(), t));
            NDArray pattern = m.randomNormal(new Shape(b, s.nHeads(), t, t));
            return median(iterations, () -> {
                for (int l = 0; l < s.nLayers(); l++) {
                    consume(x.matMul(wq), x.matMul(wkv), x.matMul(wkv), q.matMul(kT), pattern.matMul(q),
                            z.matMul(wo), x.matMul(win), xm.matMul(wout));
                    if (s.gatedMlp()) {
                        consume(x.matMul(win));
                    }
                }
                consume(x.matMul(wu));
                return null;
            });
        }
    }

    /** PyTorch runs CPU ops synchronously, so the work is done once the results exist. */
    private static void consume(NDArray... arrays) {
        for (NDArray a : arrays) {
            a.close();
        }
    }

    private static double median(int iterations, Supplier<?> work) {
        work.get();
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            work.get();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[iterations / 2];
    }
}
