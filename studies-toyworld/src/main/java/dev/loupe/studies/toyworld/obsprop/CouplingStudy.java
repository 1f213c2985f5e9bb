package dev.loupe.studies.toyworld.obsprop;

import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.eval.toy.Windows;
import dev.loupe.method.obsprop.ComponentRanking;
import dev.loupe.method.obsprop.Coupling;
import dev.loupe.method.obsprop.ResidualSamples;
import java.util.ArrayList;
import java.util.List;

/**
 * Coupling coefficients between head feature vectors of the pronoun task, validated against real activations:
 * for each pair (y₁, y₂) read from the same residual stream, C(y₁, y₂) beside the least-squares slope of x·y₂ on
 * x·y₁. As the paper fits its slopes over the Pile, x is the model's own kind of text, not the task's prompts:
 * every non-BOS token of toy-world windows, {@code blocks.L.hook_resid_pre} centred and divided by its
 * root-mean-square (LayerNorm before its weight: the units the √d·W rule's vectors are read in). Pairs: each head's
 * subject and object vectors (the paper's validation), and every two heads of a layer for the subject observable.
 *
 * @param pairs           one row per pair
 * @param subjectObjectR2 how well C predicts the fitted slopes of the subject/object pairs
 *                        ({@link Coupling#determination}: 1 − Σ(slope − C)² / Σ(slope − mean slope)²)
 * @param otherHeadsR2    the same over the pairs of two different heads
 * @param allR2           the same over every pair
 * @param correlation     Pearson correlation between C and the slopes over every pair
 * @param tokens          activations the slopes were fitted on
 */
public record CouplingStudy(List<Pair> pairs, double subjectObjectR2, double otherHeadsR2, double allR2,
                            double correlation, int tokens) implements TextSummary {
    /** Which two feature vectors a pair compares. */
    public enum Kind { SUBJECT_OBJECT, OTHER_HEAD }

    /** One pair: C, the fitted slope, and the r² of that fit. */
    public record Pair(String first, String second, Kind kind, double coupling, double slope, double fitR2) {}

    /**
     * @param windows toy-world windows of the model's context length whose tokens give the activations
     * @param seed    seeds the pronoun prompts that linearise the MLPs and the windows' text
     */
    @Override
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format("%-14s %-14s %9s %9s %8s", "y1", "y2", "C(y1,y2)", "slope", "fit r2"));
        for (Pair p : pairs) {
            out.add(String.format("%-14s %-14s %9.3f %9.3f %8.3f", p.first(), p.second(), p.coupling(), p.slope(),
                    p.fitR2()));
        }
        out.add(String.format("slopes over %d tokens of toy-world text; C predicts them with R2 = %.3f over the %d "
                + "heads' subject/object pairs, %.3f over pairs of two heads, %.3f over all %d pairs (correlation "
                + "%.3f)", tokens, subjectObjectR2, pairs(Kind.SUBJECT_OBJECT).size(), otherHeadsR2, allR2,
                pairs.size(), correlation));
        return out;
    }

    public static CouplingStudy run(Model model, int windows, long seed) {
        var tok = model.tokenizer();
        List<PronounPrompts> subjects = PronounPrompts.sample(tok, 16, false, true, seed);
        List<PronounPrompts> objects = PronounPrompts.sample(tok, 16, false, false, seed);
        List<ComponentRanking.Ranked> ys = ComponentRanking.rank(model, PronounPrompts.subjectObservable(tok),
                PronounPrompts.first(subjects, 0), PronounPrompts.first(subjects, 1),
                ComponentRanking.Paths.THROUGH_MLPS);
        List<ComponentRanking.Ranked> yo = ComponentRanking.rank(model, PronounPrompts.objectObservable(tok),
                PronounPrompts.first(objects, 0), PronounPrompts.first(objects, 1),
                ComponentRanking.Paths.THROUGH_MLPS);
        List<float[]>[] xs = activations(model, windows, seed);
        List<Pair> pairs = new ArrayList<>();
        int heads = model.spec().nHeads();
        for (int l = 0; l < model.spec().nLayers(); l++) {
            for (int a = 0; a < heads; a++) {
                for (int b = a + 1; b < heads; b++) {
                    pairs.add(pair(name(l, a), name(l, b), Kind.OTHER_HEAD, vector(ys, l, a), vector(ys, l, b), xs[l]));
                }
                pairs.add(pair(name(l, a) + " subject", name(l, a) + " object", Kind.SUBJECT_OBJECT,
                        vector(ys, l, a), vector(yo, l, a), xs[l]));
            }
        }
        double[] c = pairs.stream().mapToDouble(Pair::coupling).toArray();
        double[] s = pairs.stream().mapToDouble(Pair::slope).toArray();
        Coupling.Fit all = Coupling.fit(c, s);
        return new CouplingStudy(pairs, determination(ofKind(pairs, Kind.SUBJECT_OBJECT)),
                determination(ofKind(pairs, Kind.OTHER_HEAD)), Coupling.determination(c, s),
                Math.sqrt(all.r2()) * Math.signum(all.slope()), xs[0].size());
    }

    /** The pairs of one kind, in table order. */
    public List<Pair> pairs(Kind kind) {
        return ofKind(pairs, kind);
    }

    private static List<Pair> ofKind(List<Pair> pairs, Kind kind) {
        return pairs.stream().filter(p -> p.kind() == kind).toList();
    }

    private static double determination(List<Pair> pairs) {
        return Coupling.determination(pairs.stream().mapToDouble(Pair::coupling).toArray(),
                pairs.stream().mapToDouble(Pair::slope).toArray());
    }

    private static Pair pair(String n1, String n2, Kind kind, Tensor y1, Tensor y2, List<float[]> xs) {
        Coupling.Fit fit = Coupling.over(y1, y2, xs);
        return new Pair(n1, n2, kind, Coupling.coefficient(y1, y2), fit.slope(), fit.r2());
    }

    /** Each layer's resid_pre, centred and RMS-normalised, at every token of toy-world windows but BOS. */
    static List<float[]>[] activations(Model model, int windows, long seed) {
        Windows text = Windows.toyWorld(model, seed);
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            ids.add(text.next());
        }
        return ResidualSamples.normalisedResidPre(model, ids);
    }

    private static Tensor vector(List<ComponentRanking.Ranked> ranked, int layer, int head) {
        return FeatureStudy.vectorOf(ranked, name(layer, head));
    }

    private static String name(int layer, int head) {
        return "L" + layer + "H" + head;
    }
}
