package dev.loupe.method.obsprop;

import dev.loupe.api.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * The baselines' data efficiency: for each k, logistic, linear and mean-difference probes ({@link Probes}) trained
 * on k examples per class drawn without replacement, scored by AUC on held-out examples, averaged over repeated
 * draws. ObsProp's one-example direction is compared against this curve.
 */
public final class ProbeCurve {
    /** Mean AUCs of the baselines trained on k examples per class. */
    public record Row(int k, double logistic, double linear, double meanDifference) {}

    private ProbeCurve() {}

    /**
     * One row per k of {@code ks} up to {@code maxK} (the smaller class's training examples), the draws taken from
     * {@code rnd} in order.
     */
    /** ObsProp's AUC and the curve as printed lines: a header and one row per k. */
    public static List<String> lines(double obsProp, List<Row> curve) {
        List<String> out = new ArrayList<>();
        out.add(String.format("ObsProp feature vector (1 example per class): %.3f", obsProp));
        out.add(String.format("%4s %9s %9s %9s", "k", "logistic", "linear", "mean-diff"));
        for (Row r : curve) {
            out.add(String.format("%4d %9.3f %9.3f %9.3f", r.k(), r.logistic(), r.linear(), r.meanDifference()));
        }
        return out;
    }

    public static List<Row> of(float[][] xTrain, int[] yTrain, float[][] xTest, int[] yTest, int[] ks, int maxK,
                               int repeats, Random rnd) {
        List<BiFunction<float[][], int[], Tensor>> probes = List.of(Probes::logistic, Probes::linear,
                Probes::meanDifference);
        List<Row> curve = new ArrayList<>();
        for (int k : ks) {
            if (k > maxK) {
                break;
            }
            double[] sums = new double[3];
            for (int r = 0; r < repeats; r++) {
                int[] picked = pick(yTrain, k, rnd);
                float[][] x = new float[picked.length][];
                int[] labels = new int[picked.length];
                for (int i = 0; i < picked.length; i++) {
                    x[i] = xTrain[picked[i]];
                    labels[i] = yTrain[picked[i]];
                }
                for (int p = 0; p < probes.size(); p++) {
                    sums[p] += Probes.auc(Probes.scores(xTest, probes.get(p).apply(x, labels)), yTest) / repeats;
                }
            }
            curve.add(new Row(k, sums[0], sums[1], sums[2]));
        }
        return curve;
    }

    /** k indices of each class, drawn without replacement. */
    static int[] pick(int[] labels, int k, Random rnd) {
        List<Integer> pos = new ArrayList<>();
        List<Integer> neg = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            (labels[i] == 1 ? pos : neg).add(i);
        }
        Collections.shuffle(pos, rnd);
        Collections.shuffle(neg, rnd);
        int[] out = new int[2 * k];
        for (int i = 0; i < k; i++) {
            out[2 * i] = pos.get(i);
            out[2 * i + 1] = neg.get(i);
        }
        return out;
    }
}
