package dev.loupe.spark.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.loupe.api.LoupeException;
import dev.loupe.data.TokenizerPolicy;
import dev.loupe.json.LoupeJson;
import dev.loupe.method.transcoder.TranscoderTraining;
import dev.loupe.spark.SparkSweep;
import dev.loupe.spark.SweepJob;
import dev.loupe.spark.SweepRow;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code loupe spark sweep}: many {@code loupe transcoder train} runs at once, one Spark task each. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Train a grid of dictionaries (harvests x expansion x l1 x architecture), one Spark task each, "
                + "checkpoints in --out/NAME (a retried task resumes), scored on held-out text; writes "
                + "--out/sweep.json and --out/sweep.html with the best of each layer marked.",
        footer = {"", "Example: loupe spark sweep --master local[2] --activations acts-l1,acts-l2 --expansion 4,8 "
                + "--l1 0.5,2 --eval-corpus held-out/ --out sweep"})
public final class SweepCommand implements Runnable {
    @Mixin SparkOptions spark;

    @Option(names = "--activations", required = true, split = ",", paramLabel = "DIR",
            description = "Harvest folders (one per layer), on a path every executor sees.")
    List<Path> activations;

    @Option(names = "--expansion", split = ",", description = "d_sae / d_in values (default: 8).")
    List<Integer> expansions;

    @Option(names = "--l1", split = ",", description = "L1 coefficients (default: 1.0).")
    List<Double> l1s;

    @Option(names = "--architecture", split = ",", description = "Dictionary kinds (the trainer trains relu; "
            + "default: relu).")
    List<String> architectures;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--warmup", defaultValue = "200", description = "Warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--steps", defaultValue = "3000", description = "Optimiser steps (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch", defaultValue = "1024", description = "Activations per step (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--buffer", defaultValue = "32768", description = "Shuffle buffer rows (default: ${DEFAULT-VALUE}).")
    int buffer;
    @Option(names = "--dead-after", defaultValue = "1000", description = "Steps without firing before a feature is "
            + "dead (default: ${DEFAULT-VALUE}).")
    int deadAfter;
    @Option(names = "--no-ghost-grads", description = "Train dead features without the ghost-gradient term.")
    boolean noGhost;
    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Steps between checkpoints "
            + "(default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-corpus", required = true, paramLabel = "PATH", description = "Held-out text for the "
            + "metrics (a path every executor sees).")
    Path evalCorpus;
    @Option(names = "--eval-field", description = "Its JSONL field or Parquet column (default: text).")
    String evalField;
    @Option(names = "--context", defaultValue = "0", description = "Tokens per held-out window (default: 0, n_ctx).")
    int context;
    @Option(names = "--bos", defaultValue = "DOCUMENT", description = "DOCUMENT, WINDOW or NONE (default: "
            + "${DEFAULT-VALUE}).")
    TokenizerPolicy.Bos bos;
    @Option(names = "--eval-windows", description = "Held-out windows scored (default: 64).")
    Integer evalWindows;
    @Option(names = "--best-by", description = "Metric that marks each layer's best: ce_loss_score, "
            + "explained_variance, mse or kl_div_with_sae (default: ce_loss_score).")
    String bestBy;

    @Option(names = "--replicas", description = "Tasks per dictionary: more than 1 trains each data-parallel in a "
            + "barrier stage (gradients averaged every step; a failed stage resumes from the last checkpoint) "
            + "(default: 1).")
    Integer replicas;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Sweep folder, on a path every "
            + "executor sees.")
    Path out;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (steps < 1 || batch < 1 || buffer < 2 * batch || checkpointEvery < 1 || (evalWindows != null
                && evalWindows < 1) || warmup < 0 || deadAfter < 1 || !(lr > 0)
                || (expansions != null && expansions.stream().anyMatch(x -> x < 1))
                || (l1s != null && l1s.stream().anyMatch(l -> !(l >= 0)))) {
            throw new LoupeException("expected --steps, --batch, --checkpoint-every, --eval-windows, --dead-after and "
                    + "each --expansion at least 1, --buffer at least 2 x --batch, --warmup and each --l1 at least 0, "
                    + "--lr above 0");
        }
        TranscoderTraining.Config base = new TranscoderTraining.Config(1, 0, lr, warmup, steps, batch, buffer,
                deadAfter, !noGhost, checkpointEvery, seed);
        SweepJob.Builder sweep = SweepJob.builder(spark.modelRef(), out.toAbsolutePath().toString())
                .activations(activations.stream().map(p -> p.toAbsolutePath().toString()).toList()).training(base);
        sweep.heldOut(evalCorpus.toAbsolutePath().toString(), evalField, new TokenizerPolicy(context, 0, bos));
        if (evalWindows != null) {
            sweep.evalWindows(evalWindows);
        }
        if (expansions != null) {
            sweep.expansions(expansions);
        }
        if (l1s != null) {
            sweep.l1s(l1s);
        }
        if (architectures != null) {
            sweep.architectures(architectures);
        }
        if (bestBy != null) {
            sweep.bestBy(bestBy);
        }
        if (replicas != null) {
            sweep.replicas(replicas);
        }
        SweepJob job = sweep.build();
        List<SweepRow> rows;
        try (JavaSparkContext sc = spark.start(spec.commandLine().getErr())) {
            rows = SparkSweep.run(sc, job);
        }
        if (spark.json) {
            try {
                spec.commandLine().getOut().println(LoupeJson.builder()
                        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build().writeValueAsString(rows));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return;
        }
        var o = spec.commandLine().getOut();
        o.printf("%-34s %5s %6s %8s %9s %8s %8s%n", "dictionary", "layer", "d_sae", "L0", "expl.var", "CE score",
                "dead");
        for (SweepRow r : rows) {
            o.printf("%-34s %5d %6d %8.2f %9.4f %8.4f %8.3f%s%n", r.name(), r.layer(), r.dSae(), r.l0(),
                    r.explainedVariance(), r.ceLossScore(), r.deadFraction(), r.best() ? "  best" : "");
        }
        o.printf("wrote %s and %s%n", out.resolve("sweep.json"), out.resolve("sweep.html"));
    }
}
