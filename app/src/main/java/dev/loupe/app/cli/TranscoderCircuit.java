package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe transcoder circuit}. */
@Command(name = "circuit", mixinStandardHelpOptions = true,
        description = "Greedy attribution graph of a prompt's target through transcoders; SLUG.json "
                + "(circuit-tracer layout) and circuit.html. Without --target, on the embedded model: the "
                + "greater-than study.",
        footer = {"", "Examples:", "  loupe transcoder circuit --model DIR --transcoder tc --prompt \"The capital of "
                + "France is\" --target \"logit-diff:' Paris',' London'\" --out circuit",
                "  loupe transcoder circuit --transcoder tc --out circuit   (embedded model: greater-than)"})
final class TranscoderCircuit extends ModelCommand {
    @Option(names = "--transcoder", required = true, paramLabel = "DIR", description = "Transcoder folder (repeatable).")
    List<Path> transcoders;
    @Option(names = "--prompt", description = "The prompt (BOS prepended); without --target a greater-than "
            + "prompt ending in the century (default: The war lasted from the year 1732 to the year 17).") String prompt;
    @Option(names = "--target", paramLabel = "T", description = "What to explain at the last token: "
            + "logit:'TOKEN', logit-demeaned:'TOKEN', logit-diff:'A','B' or feature:LAYER.INDEX.") String target;
    @Range(min = 1) @Option(names = "--k", defaultValue = "10", description = "Paths kept per round (default: ${DEFAULT-VALUE}).") int k;
    @Range(min = 1) @Option(names = "--depth", defaultValue = "3", description = "Rounds of path expansion (default: ${DEFAULT-VALUE}).")
    int depth;
    @Option(names = "--out", defaultValue = "loupe-circuit", paramLabel = "DIR",
            description = "Where SLUG.json, graph-metadata.json (circuit-tracer's graph files) and circuit.html go "
                    + "(default: ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--force", description = "Use transcoders trained on another kind of model.") boolean force;

    @Override
    public void run() {
        if (target != null) {
            runTarget();
            return;
        }
        if (options.model != null) {
            throw new LoupeException("transcoder circuit: --target is required on a model other than the embedded "
                    + "one (logit:'TOKEN', logit-demeaned:'TOKEN', logit-diff:'A','B' or feature:LAYER.INDEX)");
        }
        runGreaterThan();
    }

    private void runTarget() {
        if (prompt == null) {
            throw new LoupeException("transcoder circuit: --target needs --prompt");
        }
        run("circuit", Map.of("target", target));
    }

    private void runGreaterThan() {
        run("toyworld-greater-than", Map.of());
    }

    /** The plugin {@code method} on the transcoders, the prompt when given, k and depth, and {@code more}. */
    private void run(String method, Map<String, Object> more) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("transcoders", transcoders.stream().map(Path::toString).toList());
        if (prompt != null) {
            fields.put("prompt", prompt);
        }
        fields.put("k", k);
        fields.put("depth", depth);
        fields.put("force", force);
        fields.putAll(more);
        try (Model m = options.load(loader)) {
            print(runPlugin(m, method, fields, out, 0));
        }
    }
}
