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
