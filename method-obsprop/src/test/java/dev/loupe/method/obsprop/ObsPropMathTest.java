package dev.loupe.method.obsprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ObsPropMathTest {
    static Tensor gaussian(Random r, int d) {
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.vector(v);
    }

    @Test
    void couplingIdentitiesAndSlope() {
        Random r = new Random(1);
        Tensor y1 = gaussian(r, 128);
        Tensor y2 = y1.scale(0.6f).add(gaussian(r, 128).scale(0.5f));
        double c12 = Coupling.coefficient(y1, y2);
        double c21 = Coupling.coefficient(y2, y1);
        double cos = Coupling.cosine(y1, y2);
        assertEquals(cos * cos, c12 * c21, 1e-9);
        int n = 20000;
        double[] a = new double[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            Tensor x = gaussian(r, 128);
            a[i] = x.dot(y1);
            b[i] = x.dot(y2);
        }
        assertEquals(c12, Coupling.slope(a, b), 0.02, "for isotropic x the fitted slope is the coupling coefficient");
    }

    /** Mean angle between the exact LayerNorm gradient and √d·W⊙y over random inputs, in degrees. */
    static double meanAngle(int d, long seed) {
        Random r = new Random(seed);
        Tensor gain = Tensor.vector(new float[d]).add(gaussian(r, d).scale(0.1f));
        float[] ones = new float[d];
        java.util.Arrays.fill(ones, 1f);
        gain = gain.add(Tensor.vector(ones));
        double sum = 0;
        int trials = 400;
        for (int t = 0; t < trials; t++) {
            Tensor y = gaussian(r, d);
            float[] x = gaussian(r, d).toArray();
            Tensor exact = FeatureVectors.exactLayerNormGradient(x, gain, y);
            Tensor approx = FeatureVectors.throughLayerNorm(y, gain);
            sum += Math.toDegrees(Math.acos(Math.min(1, Coupling.cosine(exact, approx))));
        }
        return sum / trials;
    }

    @Test
    void layerNormRuleMatchesTheTheoremsAngles() {
        double at64 = meanAngle(64, 3);
        double at256 = meanAngle(256, 4);
        assertEquals(9.0, at64, 1.5, "paper: mean angle 9 degrees at d = 64");
        assertEquals(4.5, at256, 1.0, "paper: mean angle 4.5 degrees at d = 256");
        assertTrue(at256 < at64);
    }

    @Test
    void layerNormCheckAtTheEmbeddedModelsWidthMeetsTheTheoremsFigure() {
        float[] ones = new float[128];
        java.util.Arrays.fill(ones, 1f);
        LayerNormCheck c = LayerNormCheck.gaussian(Tensor.vector(ones), 2000, 5);
        assertEquals(128, c.dimension());
        assertEquals(Math.toDegrees(Math.sqrt(Math.PI / 256)), c.boundDegrees(), 1e-9);
        assertTrue(c.meanAngleDegrees() <= c.boundDegrees(), "mean angle " + c.meanAngleDegrees()
                + " within the theorem's sqrt(pi/2d) = 6.35 degrees");
        assertTrue(c.meanAngleDegrees() > 2, "but not zero: the input's direction is projected out");
        assertTrue(c.meanCosine() > 0.99, "cosine " + c.meanCosine());
    }

    @Test
    void anObservableCanBeAnyVectorOverTheVocabulary() {
        Observable n = Observable.vector(new float[] {0, 2, 0, -1});
        assertEquals(java.util.Map.of(1, 2.0, 3, -1.0), n.weights());
        assertEquals(2 * 5 - 7, n.apply(new float[] {100, 5, 100, 7}), 1e-9);
    }
}
