package dev.loupe.method.obsprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProbesTest {
    @Test
    void aucCountsOrderedPairsAndTiesHalf() {
        assertEquals(1.0, Probes.auc(new double[] {0.9, 0.8, 0.1, 0.2}, new int[] {1, 1, 0, 0}), 1e-12);
        assertEquals(0.0, Probes.auc(new double[] {0.1, 0.9}, new int[] {1, 0}), 1e-12);
        // pairs (pos, neg): (3,1) win, (3,3) tie, (2,1) win, (2,3) loss -> (1 + 0.5 + 1 + 0) / 4
        assertEquals(0.625, Probes.auc(new double[] {3, 2, 1, 3}, new int[] {1, 1, 0, 0}), 1e-12);
        assertThrows(LoupeException.class, () -> Probes.auc(new double[] {1, 2}, new int[] {1, 1}));
    }

    @Test
    void probesFindTheSeparatingDirection() {
        Random r = new Random(3);
        int n = 200;
        int d = 10;
        float[][] x = new float[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            x[i][0] += y[i] == 1 ? 2f : -2f;
        }
        for (Tensor w : new Tensor[] {Probes.logistic(x, y), Probes.linear(x, y), Probes.meanDifference(x, y)}) {
            float[] v = w.toArray();
            assertTrue(Math.abs(v[0]) / w.norm() > 0.9, "weight concentrated on the signal axis: " + w);
            assertTrue(v[0] > 0);
            assertTrue(Probes.auc(Probes.scores(x, w), y) > 0.97);
        }
        assertEquals(4.0, Probes.meanDifference(x, y).toArray()[0], 0.4, "class means at +2 and -2");
    }

    @Test
    void logisticGradientVanishesAtItsSolution() {
        float[][] x = {{1, 0}, {0, 1}, {2, 1}, {-1, -2}};
        int[] y = {1, 0, 1, 0};
        Tensor w = Probes.logistic(x, y);
        // With the bias b solved jointly, the penalised gradient in w is zero: sum (p - y) x + w = 0.
        float[] v = w.toArray();
        double[] g = {v[0], v[1]};
        double bias = solveBias(x, y, v);
        for (int i = 0; i < x.length; i++) {
            double p = 1 / (1 + Math.exp(-(v[0] * x[i][0] + v[1] * x[i][1] + bias)));
            g[0] += (p - y[i]) * x[i][0];
            g[1] += (p - y[i]) * x[i][1];
        }
        assertEquals(0, g[0], 1e-4);
        assertEquals(0, g[1], 1e-4);
    }

    private static double solveBias(float[][] x, int[] y, float[] v) {
        double lo = -50;
        double hi = 50;
        for (int it = 0; it < 200; it++) {
            double b = (lo + hi) / 2;
            double g = 0;
            for (int i = 0; i < x.length; i++) {
                g += 1 / (1 + Math.exp(-(v[0] * x[i][0] + v[1] * x[i][1] + b))) - y[i];
            }
            if (g > 0) {
                hi = b;
            } else {
                lo = b;
            }
        }
        return (lo + hi) / 2;
    }

    @Test
    void probesRejectOneClassAndBadLabels() {
        float[][] x = {{1}, {2}};
        LoupeException e = assertThrows(LoupeException.class, () -> Probes.logistic(x, new int[] {1, 1}));
        assertEquals("a probe needs examples of both classes", e.getMessage());
        assertThrows(LoupeException.class, () -> Probes.linear(x, new int[] {1, 2}));
        assertThrows(LoupeException.class, () -> Probes.meanDifference(x, new int[] {1}));
    }

    @Test
    void fitRecoversALineAndDeterminationPenalisesBias() {
        double[] a = {0, 1, 2, 3};
        double[] b = {1, 3, 5, 7};
        Coupling.Fit f = Coupling.fit(a, b);
        assertEquals(2, f.slope(), 1e-12);
        assertEquals(1, f.intercept(), 1e-12);
        assertEquals(1, f.r2(), 1e-12);
        assertEquals(1, Coupling.determination(b, b), 1e-12);
        double[] shifted = {2, 4, 6, 8};
        assertEquals(1 - 4.0 / 20, Coupling.determination(shifted, b), 1e-12);
    }
}
