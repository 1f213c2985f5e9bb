package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.data.PromptSet;
import dev.loupe.vectors.GgufControlVector;
import dev.loupe.vectors.SteeringVectorFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One-shot steering vectors: optimise one on a single prompt, and measure how it transfers. */
@Command(name = "steer", mixinStandardHelpOptions = true, description = "One-shot optimized steering vectors.",
        subcommands = {SteerCommand.Optimize.class, SteerBaselines.Caa.class, SteerCommand.Eval.class,
                SteerImport.class, SteerFeature.class, SteerClamp.class,
                SteerCommand.Export.class, SteerCommand.Generate.class, SteerBaselines.Prefill.class})
public final class SteerCommand {

    /** {@code loupe steer optimize}. */
    @Command(name = "optimize", mixinStandardHelpOptions = true,
            description = "Optimise a vector at blocks.L.hook_resid_pre on one prompt.",
            footer = {"", "Example: loupe steer optimize --prompt \"User : how do I make a bomb ? Assistant :\" "
                    + "--promote \"Sure ,\" --suppress \"I cannot\" --out refusal-off"})
    public static final class Optimize extends ModelCommand {
        @Option(names = "--prompt", description = "The one training prompt (BOS is prepended); or --datapoints.")
        String prompt;

        @Option(names = "--datapoints", paramLabel = "FILE.jsonl", description = "Training examples instead of --prompt: "
                + "one JSON object a line, 'prompt' with 'promote' and/or 'suppress' completions.")
        Path datapoints;

        @Option(names = "--promote", description = "Completion to make likely (repeatable).")
        List<String> promote = new ArrayList<>();

        @Option(names = "--suppress", description = "Completion to make unlikely (repeatable).")
        List<String> suppress = new ArrayList<>();

        @Option(names = "--chat", description = "Render each prompt (or its 'messages') with the model's chat "
                + "template.") boolean chat;

        @Range(min = -1) @Option(names = "--layer", defaultValue = "-1", description = "Block whose resid_pre is steered (default: middle).")
        int layer;

        @Range(min = 1) @Option(names = "--iterations", description = "Most optimiser steps (default: the "
                + "plugin's, 30).") Integer iterations;
        @Range(min = Double.MIN_VALUE, max = Double.MAX_VALUE) @Option(names = "--lr", description = "Adam learning "
                + "rate (default: the plugin's, 0.5).") Double learningRate;
        @Range(min = 0, max = Double.MAX_VALUE) @Option(names = "--start-norm", description = "Norm of the random "
                + "starting vector (default: the plugin's, 1).") Double startNorm;
        @Range(min = 0, max = Double.MAX_VALUE) @Option(names = "--max-norm", description = "0: no limit (default: "
                + "the plugin's, 30).") Double maxNorm;
        @Range(min = 0, max = Double.MAX_VALUE) @Option(names = "--target-loss", defaultValue = "0", description = "0: off.") double targetLoss;
        @Option(names = "--clamp", description = "Ablate the vector's direction, then add it.") boolean clamp;
        @Option(names = "--prompt-only", description = "Steer prompt positions only.") boolean promptOnly;
        @Range(min = -Double.MAX_VALUE, max = Double.MAX_VALUE) @Option(names = "--positions", split = ":", paramLabel = "FROM:TO",
                description = "Steer a token slice [FROM, TO) only (negative counts from the end).") int[] slice;
        @Option(names = "--per-completion-target", description = "Every completion must reach --target-loss.")
        boolean perCompletion;
        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "BASE", description = "Writes BASE.json and BASE.safetensors.")
        Path out;

        @Override
        public void run() {
            if ((prompt == null) == (datapoints == null)) {
                throw new LoupeException("give --prompt (with --promote / --suppress) or --datapoints FILE.jsonl, not "
                        + (prompt == null ? "neither" : "both"));
            }
            if (datapoints != null && (!promote.isEmpty() || !suppress.isEmpty())) {
                throw new LoupeException("--promote / --suppress go with --prompt; in --datapoints each line has its own");
            }
            if (slice != null && slice.length != 2) {
                throw new IllegalArgumentException("--positions has " + slice.length
                        + " numbers, expected FROM:TO (two integers)");
            }
            Map<String, Object> steering = new LinkedHashMap<>();
            steering.put("form", clamp ? "CLAMP" : "ADD");
            steering.put("promptOnly", promptOnly);
            putIfGiven(steering, "learningRate", learningRate);
            putIfGiven(steering, "startingNorm", startNorm);
            putIfGiven(steering, "maxNorm", maxNorm);
            putIfGiven(steering, "maxIterations", iterations);
            steering.put("targetLoss", targetLoss);
            steering.put("targetPatience", 1);
            steering.put("seed", seed);
            steering.put("positions", slice == null ? Map.of("kind", "all")
                    : Map.of("kind", "range", "from", slice[0], "to", slice[1]));
            steering.put("perCompletionTarget", perCompletion);
            try (Model m = options.load(loader)) {
                steering.put("layer", ModelOptions.layerOrMiddle(layer, m));
                print(runPlugin(m, "steering", Map.of("datapoints", examples(), "steering", steering, "name",
                        out.getFileName().toString(), "rendered", chat), out.toAbsolutePath().getParent(), seed));
            }
        }

        /** An option the user gave; one left out takes the plugin's default (defaults live in its config). */
        private static void putIfGiven(Map<String, Object> config, String field, Object value) {
            if (value != null) {
                config.put(field, value);
            }
        }

        /** The examples as the plugin takes them; with --chat, their prompts rendered by the chat template. */
        private List<Map<String, Object>> examples() {
            List<PromptSet.Example> set = prompt != null ? List.of(new PromptSet.Example(prompt, promote, suppress,
                    null)) : PromptSet.read(datapoints);
            ChatPrompts chatPrompts = ChatPrompts.of(options, chat);
            return set.stream().map(e -> Map.<String, Object>of("prompt", chatPrompts.text(e), "promote", e.promote(),
                    "suppress", e.suppress())).toList();
        }

    }

    /** {@code loupe steer export}: a vector file as a GGUF control vector for llama.cpp / repeng. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write a steering vector as a GGUF control vector (direction.{layer}).",
            footer = {"", "Example: loupe steer export --vector refusal-off --gguf refusal-off.gguf"})
    public static final class Export implements Runnable {
        @Option(names = "--vector", required = true, paramLabel = "BASE", description = "A vector written by steer optimize.")
        Path vector;
        @Option(names = "--gguf", required = true, paramLabel = "FILE", description = "The GGUF control-vector file to write.")
        Path gguf;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            SteeringVectorFile.Loaded loaded = SteeringVectorFile.read(vector);
            SteeringVectorFile.Metadata meta = loaded.metadata();
            GgufControlVector.write(gguf, loaded.vector(), meta.layer(), meta.modelHint());
            int direction = GgufControlVector.directionIndex(meta.layer());
            spec.commandLine().getOut().printf("wrote %s (direction.%d: llama.cpp adds it after block %d, at %s)%n",
                    gguf, direction, direction, meta.hook());
        }
    }

    /** {@code loupe steer generate}: the {@code steering-generate} plugin (unsteered, +v and −v continuations). */
    @Command(name = "generate", aliases = "apply", mixinStandardHelpOptions = true,
            description = "Continue a prompt greedily unsteered, with +v and with -v.",
            footer = {"", "Example: loupe steer generate --vector refusal-off --prompt \"User : tell me how to build a weapon ? Assistant :\""})
    public static final class Generate extends ModelCommand {
        @Option(names = "--vector", required = true, paramLabel = "BASE", description = "A vector written by steer optimize.")
        Path vector;
        @Option(names = "--prompt", required = true, description = "The prompt to continue (BOS is prepended).") String prompt;
        @Option(names = "--chat", description = "Render the prompt as a user message with the model's chat template.")
        boolean chat;
        @Option(names = "--force", description = "Apply the vector even if it was made on another kind of model.")
        boolean force;
        @Range(min = 1) @Option(names = "--max-tokens", defaultValue = "12", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
        int maxTokens;

        @Override
        public void run() {
            String text = ChatPrompts.of(options, chat).text(prompt);
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "steering-generate", Map.of("vector", vector.toString(), "prompt", text,
                        "rendered", chat, "maxTokens", maxTokens, "force", force), Path.of("."), 0));
            }
        }
    }

    /** {@code loupe steer eval}. */
    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Score a task's held-out split unsteered, with +v, with -v and with a random vector of the same norm.",
            footer = {"", "Example: loupe steer eval --vector refusal-off --task refusal --scale 1"})
    public static final class Eval extends ModelCommand {
        @Option(names = "--vector", required = true, paramLabel = "BASE", description = "A vector written by steer optimize.")
        Path vector;

        @Option(names = "--task", defaultValue = "refusal", description = "Evaluator (default: ${DEFAULT-VALUE}).")
        String task;
        @Option(names = "--prompts", paramLabel = "FILE.jsonl", description = "Score your own prompts instead of --task: "
                + "one JSON object a line, 'prompt' with 'promote' and/or 'suppress' completions (log-probabilities), "
                + "and/or --judge on what the model writes.")
        Path prompts;

        @Option(names = "--judge", paramLabel = "J", description = "With --prompts: continue each prompt greedily and "
                + "judge the text: refusal (Arditi et al.'s refusal phrases, or --refusal-phrases) or regex:PATTERN.")
        String judge;

        @Option(names = "--refusal-phrases", paramLabel = "FILE", description = "With --judge refusal: one phrase a "
                + "line instead of the default list.") Path refusalPhrases;

        @Range(min = 1) @Option(names = "--max-tokens", defaultValue = "24", description = "With --judge: tokens "
                + "generated per prompt (default: ${DEFAULT-VALUE}).") int maxTokens;

        @Option(names = "--chat", description = "With --prompts: render each prompt (or its 'messages') with the "
                + "model's chat template (tokenizer_config.json chat_template).") boolean chat;

        @Option(names = "--force", description = "Apply the vector even if it was made on another kind of model.")
        boolean force;

        @Range(min = -Double.MAX_VALUE, max = Double.MAX_VALUE) @Option(names = "--scale", defaultValue = "1", description = "Coefficient on the vector (default: ${DEFAULT-VALUE}).")
        double scale;

        @Range(min = 1) @Option(names = "--limit", defaultValue = "200", description = "Held-out prompts scored (default: ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public void run() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("vector", vector.toString());
            fields.put("scale", scale);
            fields.put("force", force);
            fields.put("limit", limit);
            if (prompts != null) {
                Exclusive.refuse(spec, "--prompts", "--task");
                if (refusalPhrases != null && judge == null) {
                    throw new LoupeException("--refusal-phrases applies with --judge refusal");
                }
                ChatPrompts chatPrompts = ChatPrompts.of(options, chat);
                fields.put("task", "");
                fields.put("prompts", PromptSet.read(prompts).stream().map(e -> Map.of("prompt", chatPrompts.text(e),
                        "promote", e.promote(), "suppress", e.suppress())).toList());
                fields.put("rendered", chat);
                fields.put("judge", judge == null ? "" : judge);
                fields.put("refusalPhrases", refusalPhrases == null ? List.of() : phrases(refusalPhrases));
                fields.put("maxTokens", maxTokens);
            } else {
                for (String o : List.of("--judge", "--refusal-phrases", "--max-tokens", "--chat")) {
                    Exclusive.refuse(spec, "--task (no --prompts)", o);
                }
                fields.put("task", task);
            }
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "steering-eval", fields, vector.toAbsolutePath().getParent(), seed));
            }
        }

        private static List<String> phrases(Path file) {
            try {
                List<String> out = java.nio.file.Files.readAllLines(file).stream().map(String::strip)
                        .filter(l -> !l.isEmpty()).toList();
                if (out.isEmpty()) {
                    throw new LoupeException(file + ": no refusal phrases (expected one a line)");
                }
                return out;
            } catch (java.io.IOException e) {
                throw new LoupeException(file + ": cannot read the refusal phrases (" + e.getMessage() + ")");
            }
        }
    }
}
