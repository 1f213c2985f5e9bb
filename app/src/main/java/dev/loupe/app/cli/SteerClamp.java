package dev.loupe.app.cli;

import dev.loupe.api.Model;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loupe steer clamp}: a front-end over the {@code feature-clamp} plugin: greedy continuations of a prompt
 * unsteered and with one SAE or transcoder feature clamped to a value at every position, with the feature's
 * activation on the prompt.
 */
@Command(name = "clamp", mixinStandardHelpOptions = true,
        description = "Continue a prompt greedily unsteered and with one SAE (or transcoder) feature clamped to a value.",
        footer = {"", "Example: loupe steer clamp --model DIR --sae res-sae --feature 1234 --value 40 --prompt \"I think\"",
                "  --value 0 ablates the feature."})
final class SteerClamp extends ModelCommand {
    @Option(names = "--sae", required = true, paramLabel = "PATH",
            description = "An SAE or transcoder: SAELens folder, Gemma Scope params.npz, circuit-tracer layer.")
    Path sae;

    @Range(min = 0) @Option(names = "--feature", required = true, paramLabel = "N", description = "The feature.")
    int feature;

    @Range(min = -Double.MAX_VALUE, max = Double.MAX_VALUE) @Option(names = "--value", required = true,
            description = "The activation the feature is held at (0 ablates it).") double value;

    @Option(names = "--prompt", required = true, description = "The prompt to continue (BOS is prepended).")
    String prompt;

    @Option(names = "--chat", description = "Render the prompt as a user message with the model's chat template.")
    boolean chat;

    @Option(names = "--force", description = "Apply the SAE even if it was made on another kind of model.")
    boolean force;

    @Range(min = 1) @Option(names = "--max-tokens", defaultValue = "12",
            description = "Tokens to generate (default: ${DEFAULT-VALUE}).") int maxTokens;

    @Override
    public void run() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("sae", sae.toString());
        fields.put("feature", feature);
        fields.put("value", value);
        fields.put("prompt", ChatPrompts.of(options, chat).text(prompt));
        fields.put("rendered", chat);
        fields.put("maxTokens", maxTokens);
        fields.put("force", force);
        try (Model m = options.load(loader)) {
            print(runPlugin(m, "feature-clamp", fields, Path.of("."), 0));
        }
    }
}
