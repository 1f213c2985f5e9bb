package dev.loupe.studies.toyworld.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The curve statistics behind the de-embedding sweep, on curves whose answers are known. */
class GreaterThanSweepTest {
    @Test
    void aStepIsFoundWhereTheCurveChangesLevelEvenWithNoise() {
        double[] clean = new double[100];
        double[] noisy = new double[100];
        Random rnd = new Random(1);
        for (int y = 0; y < 100; y++) {
            clean[y] = y <= 37 ? -0.4 : 0.3;
            noisy[y] = clean[y] + 0.15 * rnd.nextGaussian();
        }
        GreaterThanSweep.Step s = GreaterThanSweep.step(clean);
        assertEquals(37, s.at());
        assertEquals(0.7, s.jump(), 1e-12);
        assertEquals(37, GreaterThanSweep.step(noisy).at(), 2);
        assertEquals(-0.7, GreaterThanSweep.step(java.util.Arrays.stream(clean).map(v -> -v).toArray()).jump(), 1e-12);
    }

    @Test
    void aRampStepsAtItsMiddle() {
        double[] ramp = new double[100];
        for (int y = 0; y < 100; y++) {
            ramp[y] = y;
        }
        assertEquals(49, GreaterThanSweep.step(ramp).at());
    }

    @Test
    void pearsonMedianAndArgmaxOnKnownValues() {
        assertEquals(1.0, GreaterThanSweep.pearson(new double[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-12);
        assertEquals(-1.0, GreaterThanSweep.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        assertEquals(0.0, GreaterThanSweep.pearson(new double[] {1, 2, 3}, new double[] {5, 5, 5}));
        assertEquals(2.5, GreaterThanSweep.median(new double[] {4, 1, 3, 2}));
        assertEquals(3.0, GreaterThanSweep.median(new double[] {5, 3, 1}));
        assertEquals(2, GreaterThanSweep.argmax(new double[] {0, 1, 7, 7}));
    }
}
