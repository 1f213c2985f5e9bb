package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
        @Range(min = 1) @Option(names = "--tokens", description = "Activation pairs to harvest (default: the "
                + "plugin's, 200000).") Long tokens;
        @Range(min = 1) @Option(names = "--shard-tokens", description = "Pairs per safetensors shard (default: the "
                + "plugin's, 50000).") Integer shardTokens;
        @Option(names = "--seed", defaultValue = "100", description = "Toy-world text seed (default: ${DEFAULT-VALUE}).")
        long seed;
        @Mixin CorpusOptions text;
        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "Folder for the shards and their manifest.") Path out;

        @Override
        public void run() {
            if (text.corpus != null) {
                Exclusive.refuse(spec, "--corpus", "--seed");
            }
            if (hookIn != null || hookOut != null) {
                Exclusive.refuse(spec, hookIn != null ? "--hook-in" : "--hook-out", "--layer");
                if (hookIn == null || hookOut == null) {
                    throw new LoupeException((hookIn == null ? "--hook-out" : "--hook-in") + " needs "
                            + (hookIn == null ? "--hook-in" : "--hook-out") + " (or neither, and --layer)");
                }
            }
            boolean toyWorld = text.toyWorld(options.model == null);
            Map<String, Object> fields = new LinkedHashMap<>(toyWorld ? Map.of("context", text.context)
                    : text.fields());
            fields.put("pair", Map.of("layer", layer, "hookIn", hookIn == null ? "" : hookIn,
                    "hookOut", hookOut == null ? "" : hookOut));
            if (tokens != null) {
                fields.put("tokens", tokens);
            }
            if (shardTokens != null) {
                fields.put("shardTokens", shardTokens);
            }
            try (Model m = options.load(loader)) {
                print(runPlugin(m, toyWorld ? "toyworld-harvest" : "transcoder-harvest", fields, out, seed));
            }
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
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("expansion", expansion);
            training.put("l1", l1);
            training.put("learningRate", lr);
            training.put("warmup", warmup);
            training.put("steps", steps);
            training.put("batch", batch);
            training.put("bufferRows", buffer);
            training.put("deadAfter", deadAfter);
            training.put("ghostGrads", !noGhost);
            training.put("checkpointEvery", checkpointEvery);
            training.put("seed", seed);
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "transcoder", Map.of("activations", activations.toString(), "training", training,
                        "resume", resume), out, seed));
            }
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
            boolean toyWorld = text.toyWorld(options.model == null);
            Map<String, Object> fields = new LinkedHashMap<>(toyWorld ? Map.of("context", text.context)
                    : text.fields());
            fields.put("transcoder", transcoder.toString());
            fields.put("windows", windows);
            fields.put("force", force);
            Path folder = Files.isDirectory(transcoder) ? transcoder : transcoder.toAbsolutePath().getParent();
            try (Model m = options.load(loader)) {
                print(runPlugin(m, toyWorld ? "toyworld-transcoder-eval" : "transcoder-eval", fields, folder, seed));
            }
        }
    }
}
