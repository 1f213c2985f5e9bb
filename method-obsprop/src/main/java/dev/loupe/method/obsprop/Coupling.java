package dev.loupe.method.obsprop;

import dev.loupe.api.Tensor;

/**
 * Coupling coefficients between feature vectors: C(y₁, y₂) = y₁·y₂ / ‖y₁‖², the expected x·y₂ given x·y₁ = 1
 * for isotropic x; C(y₁, y₂)·C(y₂, y₁) = cos²θ. Validated against least-squares slopes over real activations.
 */
public final class Coupling {
    private Coupling() {}

    public static double coefficient(Tensor y1, Tensor y2) {
        return y1.dot(y2) / y1.dot(y1);
    }

    public static double cosine(Tensor a, Tensor b) {
        return a.dot(b) / (a.norm() * b.norm());
    }

    /** An ordinary least-squares line b ≈ slope · a + intercept, with its coefficient of determination. */
    public record Fit(double slope, double intercept, double r2) {}

    /** The fit of x·y₂ on x·y₁ over activations xs: the slope C(y₁, y₂) predicts. */
    public static Fit over(Tensor y1, Tensor y2, java.util.List<float[]> xs) {
        double[] a = new double[xs.size()];
        double[] b = new double[xs.size()];
        float[] v1 = y1.toArray();
        float[] v2 = y2.toArray();
        for (int i = 0; i < a.length; i++) {
            float[] x = xs.get(i);
            for (int j = 0; j < x.length; j++) {
                a[i] += (double) x[j] * v1[j];
                b[i] += (double) x[j] * v2[j];
            }
        }
        return fit(a, b);
    }

    /** Least-squares fit of b on a with an intercept. */
    public static Fit fit(double[] a, double[] b) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i] / n;
            mb += b[i] / n;
        }
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        double slope = sab / saa;
        return new Fit(slope, mb - slope * ma, sbb == 0 ? 1 : sab * sab / (saa * sbb));
    }

    /**
     * The coefficient of determination of predictions against observations, 1 − Σ(obs − pred)² / Σ(obs − mean)²:
     * how well coupling coefficients predict fitted slopes (1 is perfect; unlike a correlation, it penalises bias).
     */
    public static double determination(double[] predicted, double[] observed) {
        double mean = java.util.Arrays.stream(observed).average().orElse(0);
        double res = 0;
        double tot = 0;
        for (int i = 0; i < observed.length; i++) {
            res += (observed[i] - predicted[i]) * (observed[i] - predicted[i]);
            tot += (observed[i] - mean) * (observed[i] - mean);
        }
        return 1 - res / tot;
    }

    /** Least-squares slope of b on a (through the origin): Σ a·b / Σ a². */
    public static double slope(double[] a, double[] b) {
        double ab = 0;
        double aa = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
        }
        return ab / aa;
    }
}
