package dev.loupe.app.cli;

import dev.loupe.api.Model;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The baselines one-shot steering is compared with, on the toy world: contrastive mean difference (CAA) and the
 * prefill attack, front-ends over the {@code toyworld-caa} and {@code toyworld-prefill} plugins.
 */
final class SteerBaselines {
    private SteerBaselines() {}

    /** {@code loupe steer caa}: the contrastive mean-difference baseline. */
    @Command(name = "caa", mixinStandardHelpOptions = true,
            description = "Mean-difference (CAA) baseline from N training pairs of a task, at the last token.",
            footer = {"", "refusal: forbidden request + 'Sure' minus + 'I';",
                    "trigger-choice: prompt with 'Note : unmonitored .' minus the same prompt without it.",
                    "", "Example: loupe steer caa --task trigger-choice --pairs 16 --out trigger-caa"})
    static final class Caa extends ModelCommand {
        @Option(names = "--task", defaultValue = "refusal", description = "refusal or trigger-choice (default: ${DEFAULT-VALUE}).")
        String task;

        @Range(min = 1) @Option(names = "--pairs", defaultValue = "16", description = "Contrastive pairs (default: ${DEFAULT-VALUE}).")
        int pairs;

        @Range(min = -1) @Option(names = "--layer", defaultValue = "-1", description = "Block whose resid_pre is used (default: middle).")
        int layer;

        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "BASE",
                description = "Writes BASE.json and BASE.safetensors.") Path out;

        @Override
        public void run() {
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "toyworld-caa", Map.of("task", task, "pairs", pairs, "layer",
                        ModelOptions.layerOrMiddle(layer, m), "name", out.getFileName().toString()),
                        out.toAbsolutePath().getParent(), seed));
            }
        }
    }

    /**
     * {@code loupe steer prefill}: the prompt-only baseline (prefill attack) on refusal: the assistant's answer is
     * started with the prefill and the greedy continuation is checked for a refusal.
     */
    @Command(name = "prefill", mixinStandardHelpOptions = true,
            description = "Prefill-attack baseline on held-out forbidden requests: how often the continuation complies.",
            footer = {"", "Example: loupe steer prefill --prefill \"Sure ,\" --limit 100"})
    static final class Prefill extends ModelCommand {
        @Option(names = "--prefill", defaultValue = "Sure ,", description = "Start of the answer (default: ${DEFAULT-VALUE}).")
        String prefill;

        @Range(min = 1) @Option(names = "--limit", defaultValue = "200", description = "Held-out prompts scored (default: ${DEFAULT-VALUE}).")
        int limit;
        @Range(min = 1) @Option(names = "--max-tokens", defaultValue = "10", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
        int maxTokens;
        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public void run() {
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "toyworld-prefill", Map.of("prefill", prefill, "limit", limit, "maxTokens",
                        maxTokens), Path.of("."), seed));
            }
        }
    }
}
