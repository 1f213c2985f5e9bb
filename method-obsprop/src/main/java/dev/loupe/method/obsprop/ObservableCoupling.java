package dev.loupe.method.obsprop;

import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Coupling coefficients between the head feature vectors of the user's observables, checked against the user's
 * text: for each pair (y₁, y₂) in the same residual stream, C(y₁, y₂) beside the least-squares slope of x·y₂ on
 * x·y₁ over every non-BOS token ({@link ResidualSamples}). Pairs: every two heads of a layer for each observable,
 * and with two observables each head's vector for the first against its vector for the second.
 *
 * @param observables the expressions as given
 * @param pairs       one row per pair
 * @param r2          how well C predicts the slopes over every pair ({@link Coupling#determination})
 * @param correlation Pearson correlation between C and the slopes
 * @param tokens      activations the slopes were fitted on
 */
public record ObservableCoupling(List<String> observables, List<Pair> pairs, double r2, double correlation,
                                 int tokens) implements dev.loupe.api.spi.TextSummary {
    /** One pair: C, the fitted slope, and the r² of that fit. */
    public record Pair(String first, String second, String kind, double coupling, double slope, double fitR2) {}

    /** "two heads" pairs share an observable; "two observables" pairs share a head. */
    public static final String TWO_HEADS = "two heads";
    public static final String TWO_OBSERVABLES = "two observables";

    @Override
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format("%-14s %-14s %-16s %9s %9s %8s", "y1", "y2", "pair", "C(y1,y2)", "slope", "fit r2"));
        for (Pair p : pairs) {
            out.add(String.format("%-14s %-14s %-16s %9.3f %9.3f %8.3f", p.first(), p.second(), p.kind(),
                    p.coupling(), p.slope(), p.fitR2()));
        }
        out.add(String.format("slopes over %d tokens of the corpus; C predicts them with R2 = %.3f over %d pairs "
                + "(correlation %.3f)", tokens, r2, pairs.size(), correlation));
        return out;
    }

    /**
     * @param prompt  linearises the MLPs on the path to each head (its last token); null: the direct path only
     * @param windows the text whose tokens give the activations
     */
    public static ObservableCoupling run(Model model, List<String> expressions, List<Observable> observables,
                                         int[] prompt, List<int[]> windows) {
        List<Tensor[][]> vectors = new ArrayList<>();
        for (Observable n : observables) {
            vectors.add(headVectors(model, n, prompt));
        }
        List<float[]>[] xs = ResidualSamples.normalisedResidPre(model, windows);
        List<Pair> pairs = new ArrayList<>();
        int heads = model.spec().nHeads();
        for (int l = 0; l < model.spec().nLayers(); l++) {
            for (int o = 0; o < vectors.size(); o++) {
                String suffix = vectors.size() > 1 ? " " + (o + 1) : "";
                for (int a = 0; a < heads; a++) {
                    for (int b = a + 1; b < heads; b++) {
                        pairs.add(pair(name(l, a) + suffix, name(l, b) + suffix, TWO_HEADS, vectors.get(o)[l][a],
                                vectors.get(o)[l][b], xs[l]));
                    }
                }
            }
            for (int o = 1; o < vectors.size(); o++) {
                for (int a = 0; a < heads; a++) {
                    pairs.add(pair(name(l, a) + " 1", name(l, a) + " " + (o + 1), TWO_OBSERVABLES,
                            vectors.get(0)[l][a], vectors.get(o)[l][a], xs[l]));
                }
            }
        }
        double[] c = pairs.stream().mapToDouble(Pair::coupling).toArray();
        double[] s = pairs.stream().mapToDouble(Pair::slope).toArray();
        Coupling.Fit all = Coupling.fit(c, s);
        return new ObservableCoupling(List.copyOf(expressions), pairs, Coupling.determination(c, s),
                Math.sqrt(all.r2()) * Math.signum(all.slope()), xs[0].size());
    }

    /** [layer][head] the head's feature vector for n, through the MLPs linearised at the prompt when there is one. */
    private static Tensor[][] headVectors(Model model, Observable n, int[] prompt) {
        model.spec().requireLinearReadout("ObsProp");
        var w = model.weights();
        var spec = model.spec();
        Tensor[] resid = prompt == null ? null : ComponentRanking.chain(model, n, prompt, prompt).residPre();
        Tensor direct = prompt == null ? FeatureVectors.finalResidual(w, n) : null;
        Tensor[][] out = new Tensor[spec.nLayers()][spec.nHeads()];
        for (int l = 0; l < spec.nLayers(); l++) {
            for (int h = 0; h < spec.nHeads(); h++) {
                out[l][h] = FeatureVectors.head(w, spec, l, h, resid == null ? direct : resid[l]);
            }
        }
        return out;
    }

    private static Pair pair(String n1, String n2, String kind, Tensor y1, Tensor y2, List<float[]> xs) {
        Coupling.Fit fit = Coupling.over(y1, y2, xs);
        return new Pair(n1, n2, kind, Coupling.coefficient(y1, y2), fit.slope(), fit.r2());
    }

    private static String name(int layer, int head) {
        return "L" + layer + "H" + head;
    }
}
