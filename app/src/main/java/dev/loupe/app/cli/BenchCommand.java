package dev.loupe.app.cli;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.RandomWeights;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.app.ModelLoader;
import dev.loupe.engine.djl.bench.ForwardBenchmark;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Forward-pass timings: the DJL engine against its bare matmuls, or several engines against each other. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        footer = {"", "Example: loupe bench", "         loupe bench --engines djl,onnx --batches 1,8"},
        description = "Time the forward pass (plain and with every hook cached) against its bare matmuls.")
public final class BenchCommand implements Runnable {
    @Range(min = 1) @Option(names = "--seq", defaultValue = "128", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int seq;

    @Range(min = 1) @Option(names = "--batches", split = ",", defaultValue = "1,8", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    int[] batches;

    @Range(min = 1) @Option(names = "--iterations", defaultValue = "5", description = "Timed runs per case; the median is shown.")
    int iterations;

    @Range(min = 1) @Option(names = "--layers", defaultValue = "12", description = "Layers of the GPT-2-small-shaped model.")
    int layers;

    @Option(names = "--engines", split = ",", paramLabel = "NAMES",
            description = "Compare these engines' forward latency and throughput instead, on the embedded model "
                    + "and the GPT-2-small-shaped one (e.g. djl,onnx; the first is the baseline).")
    List<String> engines = List.of();

    @Spec
    CommandSpec spec;

    @Inject
    ModelLoader loader;

    @Override
    public void run() {
        ModelSpec s = ForwardBenchmark.gpt2Small();
        s = new ModelSpec(s.architecture(), layers, s.dModel(), s.nHeads(), s.nKvHeads(), s.dHead(), s.dMlp(),
                s.dVocab(), s.nCtx(), s.norm(), s.normEps(), s.positional(), s.rotaryDim(), s.rotaryBase(),
                s.activation(), s.gatedMlp(), s.parallelAttnMlp(), s.tiedEmbeddings());
        PrintWriter w = spec.commandLine().getOut();
        if (!engines.isEmpty()) {
            compareEngines(w, s);
            return;
        }
        w.printf("engine djl, random GPT-2-small-shaped model (%d layers, d_model 768), seq %d, median of %d%n",
                layers, seq, iterations);
        List<ForwardBenchmark.Row> rows = ForwardBenchmark.run(s, seq, batches, iterations);
        w.println("batch  forward ms  full-cache ms  matmuls ms  forward/matmuls");
        for (ForwardBenchmark.Row r : rows) {
            w.printf("%-6d %-11.1f %-14.1f %-11.1f %.2f%n", r.batch(), r.forwardMs(), r.forwardFullCacheMs(),
                    r.matmulMs(), r.overheadRatio());
        }
    }

    private void compareEngines(PrintWriter w, ModelSpec gpt2) {
        List<Engine> list = engines.stream().map(loader.plugins()::engine).toList();
        ModelSource embedded = ModelSource.directory(ModelLoader.embedded());
        int embeddedSeq = Math.min(seq, 64);
        compare(w, "embedded model (4 layers, d_model 128)", embedded, list, embeddedSeq);
        compare(w, "random GPT-2-small-shaped model (" + gpt2.nLayers() + " layers, d_model 768)",
                new ModelSource.InMemory(gpt2, RandomWeights.of(gpt2, 1, 0.02), null), list, seq);
    }

    private void compare(PrintWriter w, String title, ModelSource source, List<Engine> list, int length) {
        w.printf("%s, seq %d, all logits, median of %d alternating runs%n", title, length, iterations);
        List<EngineComparison.Row> rows = EngineComparison.run(source, list, length, batches, iterations);
        w.println("engine  batch  first ms  forward ms  tokens/s   " + list.get(0).name() + " ms / engine ms");
        for (EngineComparison.Row r : rows) {
            double base = rows.stream().filter(b -> b.batch() == r.batch()).findFirst().orElseThrow().ms();
            w.printf("%-7s %-6d %-9.1f %-11.1f %-10.0f %.2f%n", r.engine(), r.batch(), r.firstMs(), r.ms(),
                    r.tokensPerSecond(),
                    base / r.ms());
        }
        w.flush();
    }
}
