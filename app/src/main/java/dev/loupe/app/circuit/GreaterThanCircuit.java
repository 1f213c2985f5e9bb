package dev.loupe.app.circuit;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.eval.TaskEvaluator;
import dev.loupe.eval.toy.GreaterThan;
import dev.loupe.method.transcoder.Transcoder;
import dev.loupe.method.transcoder.circuit.CircuitGraph;
import dev.loupe.method.transcoder.circuit.Circuits;
import dev.loupe.method.transcoder.circuit.FeatureLens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The greater-than circuit of the embedded model through a transcoder on its last MLP: the root is the logit
 * difference mean(logit of years > YY) − mean(logit of years ≤ YY) at the last token; for the graph's top features,
 * their de-embedding over YY = 00..99 (the head on their path reading the YY token in context) and their logit
 * effect over the years, centred over the years.
 *
 * @param graph       the attribution graph
 * @param yyPosition  the token position of YY in the prompt
 * @param path        the strongest path root → feature → head → leaf, as node ids (empty if none has that shape)
 * @param features    per top feature: its de-embedding and logit effect over 00..99
 */
public record GreaterThanCircuit(CircuitGraph graph, int yy, int yyPosition, List<String> path,
                                 List<FeatureCurves> features) {
    /** One feature's input-invariant curves over the two-digit years 00..99. */
    public record FeatureCurves(String feature, String head, double[] deEmbedding, double[] logitEffect) {}

    /** The effect on each year relative to the mean over the years: which years it favours over the others. */
    static double[] centred(double[] values) {
        double mean = java.util.Arrays.stream(values).average().orElse(0);
        return java.util.Arrays.stream(values).map(v -> v - mean).toArray();
    }

    /**
     * For each YY: the prompt with that YY, the head's actual input at the YY token (after the layers below it,
     * MLP0 included) read through its OV and LN2 into the feature's encoder: what the feature gets from YY via the
     * head, per unit of attention.
     */
    static double[] throughHeadInContext(Model model, int[] ids, int yyPosition, int[] years, int layer, Transcoder t,
                                         int feature, int headLayer, int head) {
        float[] v = FeatureLens.throughHead(model, layer, t, feature, headLayer, head);
        List<int[]> prompts = new ArrayList<>();
        for (int year : years) {
            int[] p = ids.clone();
            p[yyPosition] = year;
            prompts.add(p);
        }
        dev.loupe.api.HookPoint in = dev.loupe.api.HookPoint.of(headLayer, dev.loupe.api.HookSite.LN1_NORMALIZED);
        var acts = model.run(new dev.loupe.api.RunRequest(prompts, dev.loupe.api.RunRequest.Padding.RIGHT,
                java.util.Set.of(in), List.of(), dev.loupe.api.RunRequest.LogitsMode.NONE)).activation(in);
        double[] out = new double[years.length];
        for (int y = 0; y < years.length; y++) {
            float[] x = acts.select(y).select(yyPosition).toArray();
            for (int k = 0; k < x.length; k++) {
                out[y] += x[k] * v[k];
            }
        }
        return out;
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
        float[] n = new float[model.spec().dVocab()];
        for (int y = 0; y < 100; y++) {
            n[years[y]] += y > yy ? 1f / (99 - yy) : -1f / (yy + 1);
        }
        CircuitGraph g = Circuits.trace(model, transcoders, ids, new Circuits.Root.Logit(n,
                "mean logit(year > " + GreaterThan.twoDigits(yy) + ") - mean logit(year <= " + GreaterThan.twoDigits(yy)
                        + ")"), k, depth);
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
        List<FeatureCurves> curves = new ArrayList<>();
        for (CircuitGraph.Node f : g.children(g.root().id())) {
            if (f.kind() != CircuitGraph.Kind.FEATURE || curves.size() == 3) {
                continue;
            }
            int at = yyPosition;
            CircuitGraph.Node head = g.children(f.id()).stream().filter(c -> c.kind() == CircuitGraph.Kind.ATTENTION_HEAD)
                    .max(java.util.Comparator.comparingDouble((CircuitGraph.Node c) -> c.position() == at ? 1 : 0)
                            .thenComparingDouble(c -> Math.abs(c.value()))).orElse(null);
            Transcoder t = transcoders.get(f.layer());
            double[] de = head == null ? FeatureLens.deEmbedding(model, f.layer(), t, f.index(), years)
                    : throughHeadInContext(model, ids, yyPosition, years, f.layer(), t, f.index(), head.layer(),
                    head.index());
            curves.add(new FeatureCurves("F" + f.layer() + "." + f.index(),
                    head == null ? "direct" : "L" + head.layer() + "H" + head.index(), de,
                    centred(FeatureLens.logitEffect(model, t, f.index(), years))));
        }
        return new GreaterThanCircuit(g, yy, yyPosition, best, curves);
    }
}
