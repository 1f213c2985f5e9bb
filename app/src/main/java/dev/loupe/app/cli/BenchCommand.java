package dev.loupe.app.cli;

import dev.loupe.api.ModelSpec;
import dev.loupe.engine.djl.bench.ForwardBenchmark;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Forward-pass timings of the DJL engine on a random GPT-2-small-shaped model. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        footer = {"", "Example: loupe bench"},
        description = "Time the forward pass (plain and with every hook cached) against its bare matmuls.")
public final class BenchCommand implements Runnable {
    @Option(names = "--seq", defaultValue = "128", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--batches", split = ",", defaultValue = "1,8", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--iterations", defaultValue = "5", description = "Timed runs per case; the median is shown.")
    int iterations;

    @Option(names = "--layers", defaultValue = "12", description = "Layers of the GPT-2-small-shaped model.")
    int layers;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        ModelSpec s = ForwardBenchmark.gpt2Small();
        s = new ModelSpec(s.architecture(), layers, s.dModel(), s.nHeads(), s.nKvHeads(), s.dHead(), s.dMlp(),
                s.dVocab(), s.nCtx(), s.norm(), s.normEps(), s.positional(), s.rotaryDim(), s.rotaryBase(),
                s.activation(), s.gatedMlp(), s.parallelAttnMlp(), s.tiedEmbeddings());
        PrintWriter w = spec.commandLine().getOut();
        w.printf("engine djl, random GPT-2-small-shaped model (%d layers, d_model 768), seq %d, median of %d%n",
                layers, seq, iterations);
        List<ForwardBenchmark.Row> rows = ForwardBenchmark.run(s, seq, batches, iterations);
        w.println("batch  forward ms  full-cache ms  matmuls ms  forward/matmuls");
        for (ForwardBenchmark.Row r : rows) {
            w.printf("%-6d %-11.1f %-14.1f %-11.1f %.2f%n", r.batch(), r.forwardMs(), r.forwardFullCacheMs(),
                    r.matmulMs(), r.overheadRatio());
        }
    }
}
