package dev.loupe.app.cli;

import dev.loupe.api.Generation;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.method.transcoder.Transcoder;
import dev.loupe.method.transcoder.TranscoderFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loupe steer clamp}: greedy continuations of a prompt unsteered and with one SAE or transcoder feature
 * clamped to a value at every position ({@link Intervention.ClampFeature}: the rest of the activation, the
 * reconstruction error included, is kept), with the feature's activation on the prompt.
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
        Transcoder t = TranscoderFile.read(sae);
        if (feature >= t.dSae()) {
            throw new LoupeException("--feature " + feature + ": " + sae + " has " + t.dSae() + " features");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hook", t.hookOut().name());
        out.put("feature", feature);
        out.put("value", value);
        try (Model m = options.load(loader)) {
            t.requireFits(m.spec(), sae);
            ModelIdentity.check(TranscoderFile.madeOn(sae), m, force, spec.commandLine().getErr(), sae);
            Tokenizer tok = m.tokenizer();
            int[] ids = ChatPrompts.of(options, chat).ids(tok, prompt);
            Tensor in = m.run(RunRequest.of(ids).withCache(t.hookIn())).activation(t.hookIn()).select(0);
            float[] activations = new float[ids.length];
            for (int p = 0; p < ids.length; p++) {
                activations[p] = t.encode(in.select(p).toArray())[feature];
            }
            out.put("prompt_activations", activations);
            List<Intervention> clamp = List.of(t.clamp(feature, value, Positions.all()));
            out.put("unsteered", tok.decode(Generation.greedy(m, ids, maxTokens, List.of(), tok.stopId())));
            out.put("clamped", tok.decode(Generation.greedy(m, ids, maxTokens, clamp, tok.stopId())));
        }
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(Json.write(out));
            return;
        }
        float[] a = (float[]) out.get("prompt_activations");
        float max = Float.NEGATIVE_INFINITY;
        for (float x : a) {
            max = Math.max(max, x);
        }
        w.printf("feature %d of %s at %s: on the prompt max %.4g, last position %.4g; clamped to %s%n", feature, sae,
                t.hookOut(), max, a[a.length - 1], value);
        w.println(prompt);
        w.printf("  %-10s %s%n", "unsteered", out.get("unsteered"));
        w.printf("  %-10s %s%n", "clamped", out.get("clamped"));
    }
}
