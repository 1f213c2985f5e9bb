package dev.loupe.studies.toyworld.circuit;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.eval.TaskEvaluator;
import dev.loupe.eval.toy.GreaterThan;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.method.transcoder.circuit.CircuitGraph;
import dev.loupe.method.transcoder.circuit.Circuits;
import dev.loupe.method.transcoder.circuit.FeatureLens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The greater-than circuit of the embedded model through transcoders: the root is the logit difference
 * mean(logit of years &gt; YY) − mean(logit of years ≤ YY) at the last token; for the graph's top features, their
 * de-embedding over YY = 00..99 through the head on their path and their logit effect over the years, centred over
 * the years ({@link #curves}); and the same test over every prompt of the task ({@link GreaterThanSweep}).
 *
 * @param graph       the attribution graph
 * @param yyPosition  the token position of YY in the prompt
 * @param path        the strongest path root → feature → head → leaf, as node ids (empty if none has that shape)
 * @param features    per top feature: its de-embedding and logit effect over 00..99
 * @param sweep       de-embedding peaks against logit-effect steps over the prompts YY = 02..98
 */
public record GreaterThanCircuit(CircuitGraph graph, int yy, int yyPosition, List<String> path,
                                 List<FeatureCurves> features, GreaterThanSweep sweep) implements TextSummary {
    /** One feature's curves over the two-digit years 00..99; {@code weightsOnly} if the de-embedding is. */
    public record FeatureCurves(String feature, String head, boolean weightsOnly, double[] deEmbedding,
                                double[] logitEffect) {}

    @Override
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format("root %s = %.3f; %d nodes, %d edges", graph.root().label(), graph.root().value(),
                graph.nodes().size(), graph.edges().size()));
        for (CircuitGraph.Node n : graph.children(graph.root().id())) {
            out.add(String.format("  %-28s %+.3f", n.label(), n.value()));
        }
        out.add(path.isEmpty() ? "no feature <- head <- YY path among the kept paths"
                : "feature <- head <- YY path: " + String.join("  <-  ",
                path.stream().map(id -> graph.node(id).label()).toList()));
        out.add(String.format("over the prompts YY = 02..98, the top %d features' de-embedding peaks against where "
                + "their logit effect steps up: correlation %.2f over %d feature-head pairs, median distance %.1f "
                + "years", GreaterThanSweep.TOP, sweep.correlation(), sweep.pairs().size(), sweep.medianDistance()));
        return out;
    }

    /** The effect on each year relative to the mean over the years: which years it favours over the others. */
    static double[] centred(double[] values) {
        double mean = Arrays.stream(values).average().orElse(0);
        return Arrays.stream(values).map(v -> v - mean).toArray();
    }

    /** The root functional: +1/(99 − yy) on each later year, −1/(yy + 1) on each year up to yy. */
    static float[] observable(Model model, int[] years, int yy) {
        float[] n = new float[model.spec().dVocab()];
        for (int y = 0; y < years.length; y++) {
            n[years[y]] += y > yy ? 1f / (99 - yy) : -1f / (yy + 1);
        }
        return n;
    }

    /**
     * A feature's curves: its centred logit effect over the years and what each YY = 00..99 gives it through one
     * head, or straight from the embedding when {@code headLayer < 0}. Through a layer-0 head that is the paper's
     * input-invariant de-embedding W_E[YY] · (W_ln1 ⊙ W_V W_O (W_ln2 ⊙ W_enc[:, i])), from weights alone. Through a
     * later head, whose input at the YY token is no longer an embedding, it is the head's actual input there (the
     * prompt with that YY, the layers below included) read through its OV and LN2 into the feature's encoder, per
     * unit of attention.
     */
    static FeatureCurves curves(Model model, YearPrompts prompts, int layer, Transcoder t, int feature, int headLayer,
                                int head) {
        int[] years = prompts.years();
        double[] de;
        if (headLayer < 0) {
            de = FeatureLens.deEmbedding(model, layer, t, feature, years);
        } else if (headLayer == 0) {
            de = FeatureLens.deEmbeddingThroughHead(model, layer, t, feature, 0, head, years);
        } else {
            de = prompts.readAtYy(FeatureLens.throughHead(model, layer, t, feature, headLayer, head), headLayer);
        }
        return new FeatureCurves("F" + layer + "." + feature, headLayer < 0 ? "direct" : "L" + headLayer + "H" + head,
                headLayer <= 0, de, centred(FeatureLens.logitEffect(model, t, feature, years)));
    }

    /** The prompt's root: mean logit of the years after YY minus mean logit of the years up to YY. */
    public static Circuits.Root root(Model model, String prompt) {
        int yy = GreaterThan.startYear(prompt);
        int[] years = new int[100];
        for (int y = 0; y < 100; y++) {
            years[y] = TaskEvaluator.id(model.tokenizer(), GreaterThan.twoDigits(y));
        }
        return new Circuits.Root.Logit(observable(model, years, yy), "mean logit(year > " + GreaterThan.twoDigits(yy)
                + ") - mean logit(year <= " + GreaterThan.twoDigits(yy) + ")");
    }

    public static GreaterThanCircuit run(Model model, Map<Integer, Transcoder> transcoders, String prompt, int k,
                                         int depth) {
        var tok = model.tokenizer();
        int yy = GreaterThan.startYear(prompt);
        int[] ids = TaskEvaluator.promptIds(tok, prompt);
        int[] years = new int[100];
        for (int y = 0; y < 100; y++) {
            years[y] = TaskEvaluator.id(tok, GreaterThan.twoDigits(y));
        }
        int yyPosition = -1;
        for (int p = ids.length - 2; p >= 0 && yyPosition < 0; p--) {
            if (ids[p] == years[yy]) {
                yyPosition = p;
            }
        }
        if (yyPosition < 0) {
            throw new LoupeException("greater-than prompt '" + prompt + "': no token for YY = " + GreaterThan.twoDigits(yy));
        }
        CircuitGraph g = Circuits.trace(model, transcoders, ids, root(model, prompt), k, depth);
        List<String> best = List.of();
        double bestWeight = 0;
        for (List<CircuitGraph.Node> path : Circuits.paths(g)) {
            if (path.size() >= 4 && path.get(1).kind() == CircuitGraph.Kind.FEATURE
                    && path.get(2).kind() == CircuitGraph.Kind.ATTENTION_HEAD && path.get(2).position() == yyPosition
                    && Math.abs(path.get(path.size() - 1).value()) > bestWeight) {
                bestWeight = Math.abs(path.get(path.size() - 1).value());
                best = path.stream().map(CircuitGraph.Node::id).toList();
            }
        }
        YearPrompts overYears = YearPrompts.run(model, ids, yyPosition, years);
        List<FeatureCurves> curves = new ArrayList<>();
        for (CircuitGraph.Node f : g.children(g.root().id())) {
            if (f.kind() != CircuitGraph.Kind.FEATURE || curves.size() == 3) {
                continue;
            }
            int at = yyPosition;
            CircuitGraph.Node head = g.children(f.id()).stream().filter(c -> c.kind() == CircuitGraph.Kind.ATTENTION_HEAD)
                    .max(Comparator.comparingDouble((CircuitGraph.Node c) -> c.position() == at ? 1 : 0)
                            .thenComparingDouble(c -> Math.abs(c.value()))).orElse(null);
            curves.add(curves(model, overYears, f.layer(), transcoders.get(f.layer()), f.index(),
                    head == null ? -1 : head.layer(), head == null ? -1 : head.index()));
        }
        return new GreaterThanCircuit(g, yy, yyPosition, best, curves,
                GreaterThanSweep.run(model, transcoders, overYears));
    }
}
