package dev.loupe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogitsTest {
    @Test
    void softmaxAndLogSoftmaxAgreeAndSurviveLargeLogits() {
        float[] l = {1000f, 1001f, 999f};
        double[] p = Logits.softmax(l);
        double[] lp = Logits.logSoftmax(l);
        double z = Math.exp(-1) + 1 + Math.exp(-2);
        assertEquals(1 / z, p[1], 1e-12);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-12);
        for (int i = 0; i < l.length; i++) {
            assertEquals(Math.log(p[i]), lp[i], 1e-12);
        }
    }
}
