package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.ModelSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Forward latency and throughput of several engines on the same model and the same random token batches (all
 * logits, no cache), through the api only. Timed runs alternate between the engines, so each sees the same JVM
 * state (heap size, JIT) and the same machine load.
 */
final class EngineComparison {
    private EngineComparison() {}

    /**
     * One engine at one batch size: the first forward's ms (where an engine compiles or plans, it happens here) and
     * the median ms per forward afterwards, with the tokens/s it implies.
     */
    record Row(String engine, int batch, int seq, double firstMs, double ms) {
        double tokensPerSecond() {
            return batch * seq / (ms / 1000);
        }
    }

    static List<Row> run(ModelSource source, List<Engine> engines, int seq, int[] batches, int iterations) {
        List<Model> models = new ArrayList<>();
        try {
            for (Engine e : engines) {
                models.add(e.load(source));
            }
            List<Row> rows = new ArrayList<>();
            SplittableRandom rnd = new SplittableRandom(2);
            for (int b : batches) {
                List<int[]> seqs = new ArrayList<>();
                for (int i = 0; i < b; i++) {
                    seqs.add(rnd.ints(seq, 0, models.get(0).spec().dVocab()).toArray());
                }
                RunRequest request = new RunRequest(seqs, RunRequest.Padding.RIGHT, Set.of(), List.of(),
                        RunRequest.LogitsMode.ALL);
                double[] first = new double[models.size()];
                double[][] ms = new double[models.size()][iterations];
                for (int m = 0; m < models.size(); m++) {
                    first[m] = time(models.get(m), request);
                }
                for (int i = 0; i < iterations; i++) {
                    for (int m = 0; m < models.size(); m++) {
                        ms[m][i] = time(models.get(m), request);
                    }
                }
                for (int m = 0; m < models.size(); m++) {
                    Arrays.sort(ms[m]);
                    rows.add(new Row(engines.get(m).name(), b, seq, first[m], ms[m][iterations / 2]));
                }
            }
            return rows;
        } finally {
            models.forEach(Model::close);
        }
    }

    private static double time(Model model, RunRequest request) {
        return BenchClock.time(() -> model.run(request));
    }
}
