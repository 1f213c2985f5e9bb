package dev.loupe.studies.toyworld.circuit;

import dev.loupe.api.Model;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.method.transcoder.circuit.CircuitGraph;
import dev.loupe.method.transcoder.circuit.Decomposition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The paper's de-embedding test over the whole task: for each prompt YY = 02..98 (the task's range), the features
 * that add most to mean logit(year &gt; YY) − mean logit(year ≤ YY) (exact attributions, as the greedy search's
 * first round), each with the head that carries the most from the YY token into it. For every such (feature, head):
 * the YY its de-embedding through that head peaks at, the year its logit effect steps up at, and the YY its actual
 * activation peaks at. If features are YY detectors that promote later years, the first two coincide.
 *
 * @param pairs          each (feature, head) pair that was on top for at least one prompt
 * @param correlation    Pearson correlation over the pairs between de-embedding peak and step year
 * @param medianDistance median |de-embedding peak − step year|
 * @param medianOffset   median (de-embedding peak − step year)
 */
public record GreaterThanSweep(List<Pair> pairs, double correlation, double medianDistance, double medianOffset) {
    /** The first and last start year of the greater-than task. */
    static final int FIRST = 2;
    static final int LAST = 98;
    /** Features kept per prompt. */
    public static final int TOP = 3;

    /**
     * One feature reached from the YY token through one head.
     *
     * @param curves          its de-embedding through the head and its centred logit effect, over 00..99
     *                        ({@link GreaterThanCircuit#curves})
     * @param prompts         for how many of the prompts it was among the top features through this head
     * @param deEmbeddingPeak the YY its de-embedding through the head peaks at
     * @param stepYear        the last year of the lower level of the best two-level fit to its logit effect
     * @param stepJump        the fit's upper level minus its lower level (positive: it promotes later years)
     * @param activationPeak  the YY at which its activation at the last token peaks
     */
    public record Pair(GreaterThanCircuit.FeatureCurves curves, int prompts, int deEmbeddingPeak, int stepYear,
                       double stepJump, int activationPeak) {}

    /** A two-level fit to a curve: values[0..at] at one level, values[at+1..] at another. */
    record Step(int at, double jump) {}

    /** A transcoder feature and the head that carries YY into it. */
    private record FeatureHead(int layer, int feature, int headLayer, int head) {}

    static GreaterThanSweep run(Model model, Map<Integer, Transcoder> transcoders, YearPrompts overYears) {
        int yyPosition = overYears.yyPosition();
        int[] years = overYears.years();
        Map<FeatureHead, Integer> counts = new LinkedHashMap<>();
        for (int yy = FIRST; yy <= LAST; yy++) {
            int[] p = overYears.prompt(yy);
            Decomposition d = new Decomposition(model, transcoders, p);
            List<Decomposition.Term> features = d.terms(d.logit(GreaterThanCircuit.observable(model, years, yy),
                    p.length - 1)).stream().filter(t -> t.kind() == CircuitGraph.Kind.FEATURE)
                    .sorted(Comparator.comparingDouble(Decomposition.Term::value).reversed()).limit(TOP).toList();
            for (Decomposition.Term f : features) {
                d.terms(f.child()).stream().filter(t -> t.kind() == CircuitGraph.Kind.ATTENTION_HEAD
                        && t.position() == yyPosition).max(Comparator.comparingDouble(Decomposition.Term::value))
                        .ifPresent(h -> counts.merge(new FeatureHead(f.layer(), f.index(), h.layer(), h.index()), 1,
                                Integer::sum));
            }
        }
        List<Pair> pairs = new ArrayList<>();
        Map<Integer, float[][]> codes = new HashMap<>();
        for (var e : counts.entrySet()) {
            FeatureHead k = e.getKey();
            Transcoder t = transcoders.get(k.layer());
            var curves = GreaterThanCircuit.curves(model, overYears, k.layer(), t, k.feature(), k.headLayer(),
                    k.head());
            Step s = step(curves.logitEffect());
            float[][] z = codes.computeIfAbsent(k.layer(), l -> overYears.codes(l, t));
            pairs.add(new Pair(curves, e.getValue(), argmax(curves.deEmbedding()), s.at(), s.jump(),
                    argmax(column(z, k.feature()))));
        }
        pairs.sort(Comparator.comparingInt(Pair::prompts).reversed());
        double[] peaks = pairs.stream().mapToDouble(Pair::deEmbeddingPeak).toArray();
        double[] steps = pairs.stream().mapToDouble(Pair::stepYear).toArray();
        double[] offsets = new double[peaks.length];
        double[] distances = new double[peaks.length];
        for (int i = 0; i < peaks.length; i++) {
            offsets[i] = peaks[i] - steps[i];
            distances[i] = Math.abs(offsets[i]);
        }
        return new GreaterThanSweep(pairs, pearson(peaks, steps), median(distances), median(offsets));
    }

    /** The best two-level least-squares fit, each level covering at least three values. */
    static Step step(double[] v) {
        double total = Arrays.stream(v).sum();
        double best = Double.POSITIVE_INFINITY;
        Step out = new Step(-1, 0);
        double left = 0;
        for (int at = 0; at < v.length - 1; at++) {
            left += v[at];
            int n1 = at + 1;
            int n2 = v.length - n1;
            if (n1 < 3 || n2 < 3) {
                continue;
            }
            double m1 = left / n1;
            double m2 = (total - left) / n2;
            double explained = n1 * m1 * m1 + n2 * m2 * m2;
            if (-explained < best) {
                best = -explained;
                out = new Step(at, m2 - m1);
            }
        }
        return out;
    }

    private static double[] column(float[][] rows, int j) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i][j];
        }
        return out;
    }

    static int argmax(double[] v) {
        return IntStream.range(0, v.length).reduce((best, i) -> v[i] > v[best] ? i : best).orElse(0);
    }

    static double pearson(double[] a, double[] b) {
        double ma = Arrays.stream(a).average().orElse(0);
        double mb = Arrays.stream(b).average().orElse(0);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
