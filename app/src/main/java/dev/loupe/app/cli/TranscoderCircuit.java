package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelFingerprint;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.Progress;
import dev.loupe.app.circuit.GreaterThanCircuit;
import dev.loupe.app.circuit.GreaterThanSweep;
import dev.loupe.app.report.CircuitReport;
import dev.loupe.eval.TaskEvaluator;
import dev.loupe.method.transcoder.Transcoder;
import dev.loupe.method.transcoder.TranscoderFile;
import dev.loupe.method.transcoder.circuit.CircuitGraph;
import dev.loupe.method.transcoder.circuit.CircuitMethod;
import dev.loupe.method.transcoder.circuit.CircuitTracerJson;
import java.io.PrintWriter;
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
    private static final String GREATER_THAN_PROMPT = "The war lasted from the year 1732 to the year 17";

    @Option(names = "--transcoder", required = true, paramLabel = "DIR", description = "Transcoder folder (repeatable).")
    List<Path> transcoders;
    @Option(names = "--prompt", description = "The prompt (BOS prepended); without --target a greater-than "
            + "prompt ending in the century (default: " + GREATER_THAN_PROMPT + ").") String prompt;
    @Option(names = "--target", paramLabel = "T", description = "What to explain at the last token: "
            + "logit:'TOKEN', logit-diff:'A','B' or feature:LAYER.INDEX.") String target;
    @Range(min = 1) @Option(names = "--k", defaultValue = "10", description = "Paths kept per round (default: ${DEFAULT-VALUE}).") int k;
    @Range(min = 1) @Option(names = "--depth", defaultValue = "3", description = "Rounds of path expansion (default: ${DEFAULT-VALUE}).")
    int depth;
    @Option(names = "--out", defaultValue = "loupe-circuit", paramLabel = "DIR",
            description = "Where SLUG.json, graph-metadata.json (circuit-tracer's graph files) and circuit.html go "
                    + "(default: ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--force", description = "Use transcoders trained on another kind of model.") boolean force;

    /**
     * Each transcoder, read once, after checking it fits {@code m} and was made on it (the model's fingerprint
     * taken once, and only when a transcoder records one), keyed by the layer it writes.
     */
    private Map<Integer, Transcoder> readChecked(Model m) {
        Map<Integer, Transcoder> byLayer = new LinkedHashMap<>();
        ModelFingerprint here = null;
        for (Path dir : transcoders) {
            ModelFingerprint recorded = TranscoderFile.madeOn(dir);
            if (recorded != null) {
                here = here != null ? here : ModelFingerprint.of(m);
                ModelIdentity.check(recorded, here, force, spec.commandLine().getErr(), dir);
            }
            for (Transcoder read : TranscoderFile.readAll(dir)) {
                Transcoder t = read.requireFits(m.spec(), dir);
                byLayer.put(t.hookOut().layer(), t);
            }
        }
        return byLayer;
    }

    @Override
    public void run() {
        if (target != null) {
            runTarget();
            return;
        }
        if (options.model != null) {
            throw new LoupeException("transcoder circuit: --target is required on a model other than the embedded "
                    + "one (logit:'TOKEN', logit-diff:'A','B' or feature:LAYER.INDEX)");
        }
        runGreaterThan(prompt == null ? GREATER_THAN_PROMPT : prompt);
    }

    private void runTarget() {
        if (prompt == null) {
            throw new LoupeException("transcoder circuit: --target needs --prompt");
        }
        CircuitMethod.Config c = new CircuitMethod.Config(transcoders.stream().map(Path::toString).toList(), prompt,
                target, k, depth, "loupe-circuit");
        MethodResult r;
        try (Model m = options.load(loader)) {
            readChecked(m);
            r = loader.plugins().method("circuit", CircuitMethod.Config.class).run(new MethodContext(m,
                    options.modelName(), out, 0, Progress.NONE), c);
        }
        CircuitMethod.Result x = (CircuitMethod.Result) r.summary();
        CircuitReport.build(x.graph()).write(out.resolve("circuit.html"));
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(Json.write(x));
            return;
        }
        CircuitGraph g = x.graph();
        w.printf("root %s = %.4f (the model computes %.4f); %d nodes, %d edges; largest gap between an expanded "
                + "node and its inputs %.2g%n", g.root().label(), x.rootValue(), x.modelValue(), g.nodes().size(),
                g.edges().size(), x.maxImbalance());
        for (var n : g.children(g.root().id())) {
            w.printf("  %-28s %+.3f%n", n.label(), n.value());
        }
        w.println("wrote " + r.artifacts().get(0) + " (circuit-tracer) and " + out.resolve("circuit.html"));
    }

    private void runGreaterThan(String prompt) {
        GreaterThanCircuit c;
        Path graph;
        try (Model m = options.load(loader)) {
            Map<Integer, Transcoder> byLayer = readChecked(m);
            c = GreaterThanCircuit.run(m, byLayer, prompt, k, depth);
            graph = CircuitTracerJson.write(out, c.graph(), CircuitTracerJson.Info.of(m, byLayer,
                    TaskEvaluator.promptIds(m.tokenizer(), prompt), GreaterThanCircuit.root(m, prompt), c.graph(),
                    "loupe-greater-than", options.modelName(), transcoders.stream().map(Path::toString).toList(),
                    prompt));
        }
        CircuitReport.build(c).write(out.resolve("circuit.html"));
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(Json.write(c));
            return;
        }
        w.printf("root %s = %.3f; %d nodes, %d edges%n", c.graph().root().label(), c.graph().root().value(),
                c.graph().nodes().size(), c.graph().edges().size());
        for (var n : c.graph().children(c.graph().root().id())) {
            w.printf("  %-28s %+.3f%n", n.label(), n.value());
        }
        w.println(c.path().isEmpty() ? "no feature <- head <- YY path among the kept paths"
                : "feature <- head <- YY path: " + String.join("  <-  ",
                c.path().stream().map(id -> c.graph().node(id).label()).toList()));
        GreaterThanSweep s = c.sweep();
        w.printf("over the prompts YY = 02..98, the top %d features' de-embedding peaks against where their logit "
                + "effect steps up: correlation %.2f over %d feature-head pairs, median distance %.1f years%n",
                GreaterThanSweep.TOP, s.correlation(), s.pairs().size(), s.medianDistance());
        w.println("wrote " + graph + " (circuit-tracer) and " + out.resolve("circuit.html"));
    }
}
