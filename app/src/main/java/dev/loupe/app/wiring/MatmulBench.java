package dev.loupe.app.wiring;

import dev.loupe.api.ModelSpec;
import dev.loupe.engine.djl.bench.ForwardBenchmark;
import java.util.List;

/**
 * engine-djl's forward-against-bare-matmuls benchmark, for {@code loupe bench}: the one place the app names an
 * engine's classes (the layering test keeps it so; every other use of an engine goes through the Engine SPI).
 */
public final class MatmulBench {
    /** One batch size's medians. */
    public record Row(int batch, double forwardMs, double forwardFullCacheMs, double matmulMs) {
        public double overheadRatio() {
            return forwardMs / matmulMs;
        }
    }

    private MatmulBench() {}

    /** The GPT-2-small-shaped spec the benchmark is about. */
    public static ModelSpec gpt2Small() {
        return ForwardBenchmark.gpt2Small();
    }

    /** Medians of {@code iterations} runs per batch size on a random model of {@code spec}. */
    public static List<Row> run(ModelSpec spec, int seq, int[] batches, int iterations) {
        return ForwardBenchmark.run(spec, seq, batches, iterations).stream()
                .map(r -> new Row(r.batch(), r.forwardMs(), r.forwardFullCacheMs(), r.matmulMs())).toList();
    }
}
