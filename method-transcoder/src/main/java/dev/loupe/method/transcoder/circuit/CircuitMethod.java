package dev.loupe.method.transcoder.circuit;

import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelFingerprint;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Feature circuits as a plugin: the greedy attribution graph of one prompt's target ({@link CircuitTarget}: a
 * logit, a logit difference or a transcoder feature at the last token) through the given transcoders, written as
 * circuit-tracer's graph files ({@code {slug}.json} and {@code graph-metadata.json}: {@link CircuitTracerJson}). The metrics say how exact it is: the root's value against what the
 * model computes, and the largest gap between an expanded node's value and its incoming weights. {@code loupe
 * transcoder circuit --target} is a front-end over it.
 */
public final class CircuitMethod implements Method<CircuitMethod.Config> {
    /**
     * What to explain.
     *
     * @param transcoders transcoder folders, one per layer ({@code blocks.L.ln2.hook_out → blocks.L.hook_mlp_out})
     * @param prompt      the prompt; BOS is prepended by the tokenizer's policy
     * @param target      {@code logit:'T'}, {@code logit-diff:'A','B'} or {@code feature:L.F}
     * @param k           paths kept per round
     * @param depth       rounds of expansion
     * @param slug        the graph's name in circuit-tracer's metadata
     * @param force       use transcoders made on another kind of model (with a warning)
     */
    public record Config(List<String> transcoders, String prompt, String target, int k, int depth, String slug,
                         boolean force) {}

    /** The graph and its exactness. */
    public record Result(String target, double rootValue, double modelValue, double maxImbalance, CircuitGraph graph)
            implements dev.loupe.api.spi.TextSummary {
        @Override
        public List<String> lines() {
            List<String> out = new java.util.ArrayList<>();
            out.add(String.format("root %s = %.4f (the model computes %.4f); %d nodes, %d edges; largest gap between "
                    + "an expanded node and its inputs %.2g", graph.root().label(), rootValue, modelValue,
                    graph.nodes().size(), graph.edges().size(), maxImbalance));
            for (CircuitGraph.Node n : graph.children(graph.root().id())) {
                out.add(String.format("  %-28s %+.3f", n.label(), n.value()));
            }
            return out;
        }
    }

    @Override
    public String name() {
        return "circuit";
    }

    @Override
    public String description() {
        return "attribution graph of a logit, logit difference or feature through transcoders (Dunefsky et al.)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** Transcoders, prompt and target must be given; 10 paths per round, 3 rounds. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, null, null, 10, 3, "loupe-circuit", false);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        var model = context.model();
        Map<Integer, Transcoder> byLayer = byLayer(context, name(), config.transcoders(), config.force());
        var tok = model.tokenizer();
        if (config.prompt().isEmpty()) {
            throw new LoupeException("circuit: prompt is empty");
        }
        int[] ids = tok.encodeWithBos(config.prompt());
        Circuits.Root root = CircuitTarget.parse(config.target(), tok, model.spec().dVocab());
        if (root instanceof Circuits.Root.Feature f) {
            Transcoder t = byLayer.get(f.layer());
            if (t == null || f.feature() >= t.dSae()) {
                throw new LoupeException("circuit target '" + config.target() + "': " + (t == null
                        ? "no transcoder for layer " + f.layer() + " (have " + byLayer.keySet() + ")"
                        : "layer " + f.layer() + "'s transcoder has " + t.dSae() + " features"));
            }
        }
        CircuitGraph g = Circuits.trace(model, byLayer, ids, root, config.k(), config.depth());
        Result r = new Result(config.target(), g.root().value(), modelValue(context, byLayer, ids, root),
                maxImbalance(g), g);
        Path graph = CircuitTracerJson.write(context.outputDir(), g, CircuitTracerJson.Info.of(model, byLayer, ids, root,
                g, config.slug(), context.modelName(), config.transcoders(), config.prompt()));
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("root_value", r.rootValue());
        metrics.put("model_value", r.modelValue());
        metrics.put("max_imbalance", r.maxImbalance());
        metrics.put("nodes", (double) g.nodes().size());
        metrics.put("edges", (double) g.edges().size());
        Path page = context.outputDir().resolve("circuit.html");
        CircuitPage.build(g).write(page);
        return new MethodResult(name(), metrics, r, List.of(graph, context.outputDir().resolve("graph-metadata.json"),
                page));
    }

    /**
     * Every transcoder in {@code dirs}, checked to be made on the context's model ({@link TranscoderFile#checkMadeOn};
     * its fingerprint taken once, and only when one records it) and to fit it, keyed by the layer whose MLP it
     * replaces; a one-line error naming {@code method} when there is none or two share a layer.
     */
    public static Map<Integer, Transcoder> byLayer(MethodContext context, String method, List<String> dirs,
                                                   boolean force) {
        ModelSpec spec = context.model().spec();
        ModelFingerprint[] here = new ModelFingerprint[1];
        for (String dir : dirs) {
            TranscoderFile.checkMadeOn(Path.of(dir), () -> here[0] != null ? here[0]
                    : (here[0] = ModelFingerprint.of(context.model())), force, context.progress());
        }
        if (dirs.isEmpty()) {
            throw new LoupeException(method + ": transcoders is empty (give at least one transcoder folder)");
        }
        Map<Integer, Transcoder> byLayer = new TreeMap<>();
        for (String dir : dirs) {
            for (Transcoder read : TranscoderFile.readAll(Path.of(dir))) {
                Transcoder t = read.requireFits(spec, dir);
                if (byLayer.put(t.hookOut().layer(), t) != null) {
                    throw new LoupeException(method + ": two transcoders for layer " + t.hookOut().layer() + " ("
                            + dir + ")");
                }
            }
        }
        return byLayer;
    }

    /** What the model itself computes for the root: the logit functional of a plain run, or the feature's activation. */
    private static double modelValue(MethodContext context, Map<Integer, Transcoder> byLayer, int[] ids,
                                     Circuits.Root root) {
        int last = ids.length - 1;
        return switch (root) {
            case Circuits.Root.Logit l -> {
                Tensor logits = context.model().run(RunRequest.of(ids)).logits().select(0).select(last);
                double v = 0;
                for (int i = 0; i < l.direction().length; i++) {
                    v += l.direction()[i] == 0 ? 0 : l.direction()[i] * logits.get(i);
                }
                yield v;
            }
            case Circuits.Root.Feature f -> new Decomposition(context.model(), byLayer, ids)
                    .featureActivation(f.layer(), f.feature(), last);
        };
    }

    /** The largest |value − Σ incoming weights| over nodes that were expanded. */
    static double maxImbalance(CircuitGraph g) {
        Map<String, Double> in = new LinkedHashMap<>();
        for (CircuitGraph.Edge e : g.edges()) {
            in.merge(e.target(), e.weight(), Double::sum);
        }
        double worst = 0;
        for (CircuitGraph.Node n : g.nodes()) {
            Double sum = in.get(n.id());
            if (sum != null) {
                worst = Math.max(worst, Math.abs(n.value() - sum));
            }
        }
        return worst;
    }
}
