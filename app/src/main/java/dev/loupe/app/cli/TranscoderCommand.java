package dev.loupe.app.cli;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.EvaluationContext;
import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.Progress;
import dev.loupe.hf.JsonFiles;
import dev.loupe.method.transcoder.ActivationHarvest;
import dev.loupe.method.transcoder.Transcoder;
import dev.loupe.method.transcoder.TranscoderFile;
import dev.loupe.method.transcoder.TranscoderMetrics;
import dev.loupe.method.transcoder.TranscoderTraining;
import dev.loupe.method.transcoder.TranscoderTrainingMethod;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Transcoders: harvest MLP activations, train a transcoder on them, and evaluate it in the model. */
@Command(name = "transcoder", mixinStandardHelpOptions = true,
        description = "Transcoders: harvest activations, train, evaluate, find circuits.",
        subcommands = {TranscoderCommand.Harvest.class, TranscoderCommand.Train.class, TranscoderCommand.Eval.class,
                TranscoderCircuit.class, TranscoderConvert.class},
        footer = {"", "Example:", "  loupe transcoder harvest --out acts && loupe transcoder train --activations acts "
                + "--out tc && loupe transcoder eval --transcoder tc"})
public final class TranscoderCommand {

    /** {@code loupe transcoder harvest}. */
    @Command(name = "harvest", mixinStandardHelpOptions = true,
            description = "Stream (ln2.hook_out, hook_mlp_out) pairs of one layer, or of any two hooks, into sharded "
                    + "safetensors.",
            footer = {"", "Examples:", "  loupe transcoder harvest --layer 3 --tokens 100000 --out acts",
                    "  loupe transcoder harvest --model DIR --corpus docs.jsonl --hook-in blocks.6.ln2.hook_out "
                            + "--hook-out blocks.6.hook_mlp_out --out acts"})
    public static final class Harvest extends ModelCommand {
        @Range(min = -1) @Option(names = "--layer", defaultValue = "-1",
                description = "Block whose MLP pair to harvest (default: the last).") int layer;
        @Option(names = "--hook-in", paramLabel = "HOOK", description = "Input hook, TransformerLens name (with "
                + "--hook-out, instead of --layer).") String hookIn;
        @Option(names = "--hook-out", paramLabel = "HOOK", description = "Target hook (the same as --hook-in for an "
                + "SAE's data).") String hookOut;
        @Range(min = 1) @Option(names = "--tokens", defaultValue = "" + ActivationHarvest.DEFAULT_TOKENS,
                description = "Activation pairs to harvest (default: ${DEFAULT-VALUE}).") long tokens;
        @Range(min = 1) @Option(names = "--shard-tokens", defaultValue = "" + ActivationHarvest.DEFAULT_SHARD_TOKENS,
                description = "Pairs per safetensors shard (default: ${DEFAULT-VALUE}).") int shardTokens;
        @Option(names = "--seed", defaultValue = "100", description = "Toy-world text seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Mixin CorpusOptions text;
        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "Folder for the shards and their manifest.") Path out;

        @Override
        public void run() {
            try (Model m = options.load(loader)) {
                if (text.corpus != null) {
                    Exclusive.refuse(spec, "--corpus", "--seed");
                }
                var windows = text.windows(m, options.model == null, seed);
                var progress = new ProgressBar(spec.commandLine().getErr());
                ActivationHarvest h;
                try {
                    if (hookIn != null || hookOut != null) {
                        Exclusive.refuse(spec, hookIn != null ? "--hook-in" : "--hook-out", "--layer");
                        if (hookIn == null || hookOut == null) {
                            throw new LoupeException((hookIn == null ? "--hook-out" : "--hook-in") + " needs "
                                    + (hookIn == null ? "--hook-in" : "--hook-out") + " (or neither, and --layer)");
                        }
                        h = ActivationHarvest.run(m, hook("--hook-in", hookIn), hook("--hook-out", hookOut), windows,
                                tokens, shardTokens, out, progress);
                    } else {
                        h = ActivationHarvest.run(m, layer < 0 ? m.spec().nLayers() - 1 : layer, windows, tokens,
                                shardTokens, out, progress);
                    }
                } finally {
                    CorpusOptions.release(windows);
                }
                if (options.json) {
                    spec.commandLine().getOut().println(Json.write(Map.of("tokens", h.tokens(), "hook_in",
                            h.hookIn().name(), "hook_out", h.hookOut().name(), "shards", h.shards(), "dir", out.toString(),
                            "corpus", text.name())));
                    return;
                }
                spec.commandLine().getOut().printf("%d activation pairs of %s -> %s in %d shards under %s%s%n",
                        h.tokens(), h.hookIn(), h.hookOut(), h.shards().size(), out, h.tokens() < tokens
                                ? " (the corpus ended before --tokens " + tokens + ")" : "");
            }
        }
    }

    private static HookPoint hook(String option, String name) {
        try {
            return HookPoint.parse(name);
        } catch (LoupeException e) {
            throw new LoupeException(option + ": " + e.getMessage());
        }
    }

    /** {@code loupe transcoder train}. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a transcoder on harvested activations (checkpoints every N steps; --resume continues).",
            footer = {"", "Example: loupe transcoder train --activations acts --out tc --l1 1 --steps 3000"})
    public static final class Train extends ModelCommand {
        @Option(names = "--activations", required = true, paramLabel = "DIR",
                description = "A folder written by loupe transcoder harvest.") Path activations;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "SAELens-layout transcoder folder.")
        Path out;
        @Range(min = 1) @Option(names = "--expansion", defaultValue = "8",
                description = "Features per input dimension, d_sae = expansion * d_in (default: ${DEFAULT-VALUE}).") int expansion;
        @Range(min = 0, max = Double.MAX_VALUE) @Option(names = "--l1", defaultValue = "1.0", description = "L1 coefficient (default: ${DEFAULT-VALUE}).") double l1;
        @Range(min = Double.MIN_VALUE, max = Double.MAX_VALUE) @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).") double lr;
        @Range(min = 0) @Option(names = "--warmup", defaultValue = "200",
                description = "Steps of linear learning-rate warm-up (default: ${DEFAULT-VALUE}).") int warmup;
        @Range(min = 1) @Option(names = "--steps", defaultValue = "3000", description = "Optimiser steps (default: ${DEFAULT-VALUE}).") int steps;
        @Range(min = 1) @Option(names = "--batch", defaultValue = "1024", description = "Activations per step (default: ${DEFAULT-VALUE}).") int batch;
        @Range(min = 1) @Option(names = "--buffer", defaultValue = "32768",
                description = "Rows in the shuffle buffer, refilled by halves (default: ${DEFAULT-VALUE}).") int buffer;
        @Range(min = 1) @Option(names = "--dead-after", defaultValue = "1000",
                description = "A feature that has not fired for this many steps is dead (default: ${DEFAULT-VALUE}).") int deadAfter;
        @Option(names = "--no-ghost-grads", description = "Train dead features without the ghost-gradient term.") boolean noGhost;
        @Range(min = 1) @Option(names = "--checkpoint-every", defaultValue = "500",
                description = "Steps between checkpoints in DIR/checkpoint.safetensors (default: ${DEFAULT-VALUE}).") int checkpointEvery;
        @Option(names = "--resume", description = "Continue from DIR/checkpoint.safetensors.") boolean resume;
        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public void run() {
            TranscoderTraining.Config c = new TranscoderTraining.Config(expansion, l1, lr, warmup, steps, batch, buffer,
                    deadAfter, !noGhost, checkpointEvery, seed);
            ActivationHarvest h = ActivationHarvest.open(activations);
            MethodResult r;
            try (Model m = options.load(loader)) {
                r = loader.plugins().method("transcoder", TranscoderTrainingMethod.Config.class).run(new MethodContext(m, options.modelName(), out, seed,
                        new ProgressBar(spec.commandLine().getErr())),
                        new TranscoderTrainingMethod.Config(activations.toString(), c, resume));
            }
            if (options.json) {
                spec.commandLine().getOut().println(Json.write(r.summary()));
                return;
            }
            Map<String, Double> x = r.metrics();
            int resumedFrom = x.get("resumed_from_step").intValue();
            spec.commandLine().getOut().printf("trained %d -> %d features, %d steps%s in %.1f s: %.0f activations/s; "
                            + "final mse %.4f, L0 %.1f, dead %d; wrote %s%n", h.dIn(), x.get("d_sae").intValue(), steps,
                    resumedFrom > 0 ? " (resumed at " + resumedFrom + ")" : "", x.get("seconds"),
                    x.get("activations_per_second"), x.get("mse"), x.get("l0"), x.get("dead").intValue(), out);
        }

    }

    /** {@code loupe transcoder eval}. */
    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "SAELens metrics of a transcoder in the model, and greater-than with it spliced in.",
            footer = {"", "Example: loupe transcoder eval --transcoder tc --json"})
    public static final class Eval extends ModelCommand {
        @Option(names = "--transcoder", required = true, paramLabel = "DIR",
                description = "SAELens folder (any architecture) or Gemma Scope params.npz.") Path transcoder;
        @Range(min = 1) @Option(names = "--windows", defaultValue = "64", description = "Text windows to score "
                + "(default: ${DEFAULT-VALUE}; fewer when the corpus ends).") int windows;
        @Option(names = "--seed", defaultValue = "7", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Mixin CorpusOptions text;
        @Option(names = "--force", description = "Evaluate even if the transcoder was trained on another kind of "
                + "model.") boolean force;

        @Override
        public void run() {
            Transcoder t = TranscoderFile.read(transcoder);
            Map<String, Object> doc = new LinkedHashMap<>();
            try (Model m = options.load(loader)) {
                t.requireFits(m.spec(), transcoder);
                ModelIdentity.check(TranscoderFile.madeOn(transcoder), m, force, spec.commandLine().getErr(), transcoder);
                List<int[]> scored = new ArrayList<>();
                Iterator<int[]> w = text.windows(m, options.model == null, seed);
                try {
                    while (scored.size() < windows && w.hasNext()) {
                        scored.add(w.next());
                    }
                } finally {
                    CorpusOptions.release(w);
                }
                doc.put("corpus", text.name());
                doc.put("metrics", TranscoderMetrics.evaluate(m, t, scored));
                if (options.model == null) {
                    var gt = loader.plugins().evaluator("greater-than");
                    EvaluationResult clean = gt.evaluate(m, new EvaluationContext(seed, 200, List.of(), Progress.NONE));
                    EvaluationResult spliced = gt.evaluate(m, new EvaluationContext(seed, 200, List.of(t.splice()),
                            Progress.NONE));
                    doc.put("greater_than_clean", clean.metrics());
                    doc.put("greater_than_spliced", spliced.metrics());
                }
            }
            JsonFiles.write((java.nio.file.Files.isDirectory(transcoder) ? transcoder
                    : transcoder.toAbsolutePath().getParent()).resolve("eval.json"), doc);
            PrintWriter out = spec.commandLine().getOut();
            if (options.json) {
                out.println(Json.write(doc));
                return;
            }
            TranscoderMetrics x = (TranscoderMetrics) doc.get("metrics");
            out.printf("%s -> %s, %d features, %d tokens%n", t.hookIn(), t.hookOut(), t.dSae(), x.tokens());
            out.printf("l0 %.2f  mse %.4f  explained_variance %.4f  dead %.3f%n", x.l0(), x.mse(), x.explainedVariance(),
                    x.deadFraction());
            out.printf("ce_loss_score %.4f  (CE clean %.4f, with transcoder %.4f, MLP zeroed %.4f)  kl_div_with_sae %.4f%n",
                    x.ceLossScore(), x.ceClean(), x.ceWithTranscoder(), x.ceZeroAblated(), x.klDivWithSae());
            out.printf("feature density histogram, log10 bins [-6,-5) .. [-1,0]: %s%n",
                    java.util.Arrays.toString(x.densityHistogram()));
            if (!doc.containsKey("greater_than_clean")) {
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Double> c = (Map<String, Double>) doc.get("greater_than_clean");
            @SuppressWarnings("unchecked")
            Map<String, Double> s = (Map<String, Double>) doc.get("greater_than_spliced");
            out.printf("greater-than probability difference: clean %.3f, transcoder spliced %.3f%n",
                    c.get("probability_difference"), s.get("probability_difference"));
        }
    }
}
