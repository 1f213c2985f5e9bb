package dev.loupe.app.cli;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.RandomWeights;
import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.app.ModelLoader;
import dev.loupe.app.wiring.MatmulBench;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Forward-pass timings: the DJL engine against its bare matmuls, or several engines against each other. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        footer = {"", "Example: loupe bench", "         loupe bench --engines djl,onnx --batches 1,8",
                "         loupe bench --compare-peer --python /tmp/peer/bin/python --batches 1"},
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

    @Option(names = "--generate", description = "Time generation instead: prefill and decode tokens/s, with the KV "
            + "cache and without, on the embedded model and the GPT-2-small-shaped one (engines: --engines, "
            + "default djl).")
    boolean generate;

    @Range(min = 1) @Option(names = "--prompt-tokens", defaultValue = "16",
            description = "With --generate or --compare-peer: prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Range(min = 2) @Option(names = "--new-tokens", defaultValue = "32",
            description = "With --generate or --compare-peer: new tokens a sequence (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--compare-peer", description = "Time each case against HF transformers on PyTorch eager (same "
            + "threads, same token ids, alternating runs) and print Loupe / peer ratios: forward, residual cache, "
            + "full cache, gradient, generation; on the embedded model and the GPT-2-small-shaped one, or --checkpoint.")
    boolean comparePeer;

    @Option(names = "--python", defaultValue = "python3", paramLabel = "PATH",
            description = "With --compare-peer: a Python with torch and transformers (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "With --compare-peer: an HF checkpoint folder "
            + "both sides load, instead of the two built-in shapes.")
    Path model;

    @Spec
    CommandSpec spec;

    @Inject
    ModelLoader loader;

    @Override
    public void run() {
        ModelSpec s = MatmulBench.gpt2Small();
        s = new ModelSpec(s.architecture(), layers, s.dModel(), s.nHeads(), s.nKvHeads(), s.dHead(), s.dMlp(),
                s.dVocab(), s.nCtx(), s.norm(), s.normEps(), s.positional(), s.rotaryDim(), s.rotaryBase(),
                s.activation(), s.gatedMlp(), s.parallelAttnMlp(), s.tiedEmbeddings());
        PrintWriter w = spec.commandLine().getOut();
        if ((model != null || !python.equals("python3")) && !comparePeer) {
            throw new dev.loupe.api.LoupeException("--checkpoint and --python apply to --compare-peer");
        }
        picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
        for (String option : List.of("--prompt-tokens", "--new-tokens")) {
            if (given.hasMatchedOption(option) && !generate && !comparePeer) {
                throw new dev.loupe.api.LoupeException(option + " applies to --generate or --compare-peer");
            }
        }
        if (generate && given.hasMatchedOption("--seq")) {
            throw new dev.loupe.api.LoupeException("--seq applies to forward timings; with --generate the prompt is "
                    + "--prompt-tokens long");
        }
        if (comparePeer && generate) {
            throw new dev.loupe.api.LoupeException("--generate and --compare-peer: generation is one of "
                    + "--compare-peer's cases; give one of them");
        }
        if (comparePeer && model != null && given.hasMatchedOption("--layers")) {
            throw new dev.loupe.api.LoupeException("--layers shapes the random GPT-2-small-shaped model, which "
                    + "--checkpoint replaces");
        }
        if (comparePeer) {
            comparePeer(w, s);
            return;
        }
        if (generate) {
            benchGeneration(w, s);
            return;
        }
        if (!engines.isEmpty()) {
            compareEngines(w, s);
            return;
        }
        w.printf("engine djl, random GPT-2-small-shaped model (%d layers, d_model 768), seq %d, median of %d%n",
                layers, seq, iterations);
        List<MatmulBench.Row> rows = MatmulBench.run(s, seq, batches, iterations);
        w.println("batch  forward ms  full-cache ms  matmuls ms  forward/matmuls");
        for (MatmulBench.Row r : rows) {
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

    private void comparePeer(PrintWriter w, ModelSpec gpt2) {
        List<String> names = engines.isEmpty() ? List.of("djl") : engines;
        int threads = Runtime.getRuntime().availableProcessors();
        try (Peer peer = Peer.start(python)) {
            if (model != null) {
                Path dir = ModelLoader.directory(model);
                peerTable(w, peer, names, "checkpoint " + model, ModelSource.directory(dir),
                        dir.toAbsolutePath().toString(), threads);
                return;
            }
            peerTable(w, peer, names, "embedded model (4 layers, d_model 128)",
                    ModelSource.directory(ModelLoader.embedded()), ModelLoader.embedded().toString(), threads);
            peerTable(w, peer, names, "random GPT-2-small-shaped model (" + gpt2.nLayers() + " layers, d_model 768)",
                    new ModelSource.InMemory(gpt2, RandomWeights.of(gpt2, 1, 0.02), null), "gpt2-small", threads);
        }
    }

    private void peerTable(PrintWriter w, Peer peer, List<String> names, String title, ModelSource source,
                           String peerModel, int threads) {
        com.fasterxml.jackson.databind.JsonNode info = peer.load(peerModel, layers, threads);
        w.printf("%s, seq %d (at most n_ctx), median of %d alternating runs; peer: HF transformers %s on torch %s "
                + "eager, %d threads%n", title, seq, iterations, info.get("transformers").asText(), info.get("torch").asText(), threads);
        w.println("engine  case          batch  loupe ms   peer ms    loupe / peer");
        w.flush();
        for (String name : names) {
            try (dev.loupe.api.Model m = loader.plugins().engine(name).load(source)) {
                for (PeerBench.Row r : PeerBench.run(m, name, peer, seq, batches, iterations,
                        new PeerBench.Generation(promptTokens, newTokens))) {
                    w.printf("%-7s %-13s %-6d %-10.1f %-10.1f %.2f%n", r.engine(), r.caseName(), r.batch(),
                            r.loupeMs(), r.peerMs(), r.ratio());
                    w.flush();
                }
            }
        }
    }

    private void benchGeneration(PrintWriter w, ModelSpec gpt2) {
        List<Engine> list = (engines.isEmpty() ? List.of("djl") : engines).stream().map(loader.plugins()::engine)
                .toList();
        generation(w, "embedded model (4 layers, d_model 128)", ModelSource.directory(ModelLoader.embedded()), list,
                Math.min(promptTokens, 32), Math.min(newTokens, 32));
        generation(w, "random GPT-2-small-shaped model (" + gpt2.nLayers() + " layers, d_model 768)",
                new ModelSource.InMemory(gpt2, RandomWeights.of(gpt2, 1, 0.02), null), list, promptTokens, newTokens);
    }

    private void generation(PrintWriter w, String title, ModelSource source, List<Engine> list, int prompt, int fresh) {
        w.printf("%s, greedy, %d-token prompts, %d new tokens, median of %d alternating runs%n", title, prompt, fresh,
                iterations);
        w.flush();
        List<GenerationBench.Row> rows = GenerationBench.run(source, list, prompt, fresh, batches, iterations);
        w.println("engine  batch  path      prefill ms  prefill tok/s  decode tok/s  total ms  rerun ms / this ms");
        for (GenerationBench.Row r : rows) {
            double rerun = rows.stream().filter(b -> b.engine().equals(r.engine()) && b.batch() == r.batch()
                    && !b.cached()).findFirst().orElseThrow().totalMs();
            w.printf("%-7s %-6d %-9s %-11.1f %-14.0f %-13.1f %-9.1f %.2f%n", r.engine(), r.batch(),
                    r.cached() ? "kv-cache" : "rerun", r.prefillMs(), r.prefillTokensPerSecond(prompt),
                    r.decodeTokensPerSecond(), r.totalMs(), rerun / r.totalMs());
        }
        w.flush();
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
