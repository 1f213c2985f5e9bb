package dev.loupe.method.obsprop;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;

/**
 * The supervised baselines ObsProp's feature vectors are compared with, trained on k examples per class: a
 * logistic-regression probe (L2 penalty λ = 1 on the weights, scikit-learn's default C = 1, fitted by Newton's
 * method), a linear probe (ridge regression of ±1 labels, λ = 1) and the mean-difference vector. Each returns a
 * direction w, scoring x by w·x; {@link #auc} measures a score's ranking of held-out examples.
 */
public final class Probes {
    private static final double LAMBDA = 1.0;
    private static final int NEWTON_STEPS = 30;

    private Probes() {}

    /** mean(x | label 1) − mean(x | label 0). */
    public static Tensor meanDifference(float[][] x, int[] labels) {
        int d = check(x, labels);
        double[] pos = new double[d];
        double[] neg = new double[d];
        int np = 0;
        for (int i = 0; i < x.length; i++) {
            double[] acc = labels[i] == 1 ? pos : neg;
            np += labels[i];
            for (int j = 0; j < d; j++) {
                acc[j] += x[i][j];
            }
        }
        float[] w = new float[d];
        for (int j = 0; j < d; j++) {
            w[j] = (float) (pos[j] / np - neg[j] / (x.length - np));
        }
        return Tensor.vector(w);
    }

    /** Ridge regression of labels mapped to ±1, with an unpenalised bias; returns the weights. */
    public static Tensor linear(float[][] x, int[] labels) {
        int d = check(x, labels);
        double[][] a = new double[d + 1][d + 1];
        double[] rhs = new double[d + 1];
        for (int i = 0; i < x.length; i++) {
            double[] xi = withBias(x[i]);
            double target = labels[i] == 1 ? 1 : -1;
            accumulate(a, rhs, xi, 1, target);
        }
        return weights(Linear.solve(ridge(a), rhs), d);
    }

    /** L2-penalised logistic regression with an unpenalised bias; returns the weights. */
    public static Tensor logistic(float[][] x, int[] labels) {
        int d = check(x, labels);
        double[] w = new double[d + 1];
        for (int step = 0; step < NEWTON_STEPS; step++) {
            double[][] hessian = new double[d + 1][d + 1];
            double[] grad = new double[d + 1];
            for (int i = 0; i < x.length; i++) {
                double[] xi = withBias(x[i]);
                double p = 1 / (1 + Math.exp(-dot(w, xi)));
                double r = p * (1 - p);
                for (int j = 0; j <= d; j++) {
                    grad[j] += (p - labels[i]) * xi[j];
                    for (int k = 0; k <= j; k++) {
                        hessian[j][k] += r * xi[j] * xi[k];
                    }
                }
            }
            for (int j = 0; j < d; j++) {
                grad[j] += LAMBDA * w[j];
            }
            double[] delta = Linear.solve(ridge(symmetrise(hessian)), grad);
            double change = 0;
            for (int j = 0; j <= d; j++) {
                w[j] -= delta[j];
                change = Math.max(change, Math.abs(delta[j]));
            }
            if (change < 1e-8) {
                break;
            }
        }
        return weights(w, d);
    }

    /** Area under the ROC curve of scores for labels (1 positive), ties counted half (Mann–Whitney U). */
    public static double auc(double[] scores, int[] labels) {
        double u = 0;
        long pairs = 0;
        for (int i = 0; i < scores.length; i++) {
            if (labels[i] != 1) {
                continue;
            }
            for (int j = 0; j < scores.length; j++) {
                if (labels[j] != 0) {
                    continue;
                }
                pairs++;
                u += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
            }
        }
        if (pairs == 0) {
            throw new LoupeException("AUC needs examples of both classes");
        }
        return u / pairs;
    }

    /** w·x for every row. */
    public static double[] scores(float[][] x, Tensor w) {
        float[] v = w.toArray();
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < v.length; j++) {
                out[i] += (double) v[j] * x[i][j];
            }
        }
        return out;
    }

    private static int check(float[][] x, int[] labels) {
        if (x.length != labels.length || x.length == 0) {
            throw new LoupeException("a probe needs one label per example, got " + x.length + " examples and "
                    + labels.length + " labels");
        }
        int ones = 0;
        for (int l : labels) {
            if (l != 0 && l != 1) {
                throw new LoupeException("probe labels must be 0 or 1, got " + l);
            }
            ones += l;
        }
        if (ones == 0 || ones == labels.length) {
            throw new LoupeException("a probe needs examples of both classes");
        }
        return x[0].length;
    }

    private static double[] withBias(float[] x) {
        double[] out = new double[x.length + 1];
        for (int j = 0; j < x.length; j++) {
            out[j] = x[j];
        }
        out[x.length] = 1;
        return out;
    }

    private static void accumulate(double[][] a, double[] rhs, double[] xi, double weight, double target) {
        for (int j = 0; j < xi.length; j++) {
            rhs[j] += weight * target * xi[j];
            for (int k = 0; k < xi.length; k++) {
                a[j][k] += weight * xi[j] * xi[k];
            }
        }
    }

    /** Adds λ to the diagonal except the bias's (the last). */
    private static double[][] ridge(double[][] a) {
        for (int j = 0; j < a.length - 1; j++) {
            a[j][j] += LAMBDA;
        }
        a[a.length - 1][a.length - 1] += 1e-9;
        return a;
    }

    private static double[][] symmetrise(double[][] lower) {
        for (int j = 0; j < lower.length; j++) {
            for (int k = j + 1; k < lower.length; k++) {
                lower[j][k] = lower[k][j];
            }
        }
        return lower;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static Tensor weights(double[] w, int d) {
        float[] out = new float[d];
        for (int j = 0; j < d; j++) {
            out[j] = (float) w[j];
        }
        return Tensor.vector(out);
    }
}
