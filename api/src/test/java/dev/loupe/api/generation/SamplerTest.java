package dev.loupe.api.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Positions;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sampling rule against its definition (Hugging Face's warpers): seeds, limits, and the drawn distribution. */
class SamplerTest {
    private static final float[] LOGITS = {2.0f, 1.0f, 0.5f, 0.0f, -1.0f};

    private static int[] draws(Sampling s, int n) {
        Sampler sampler = new Sampler(s, 0);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = sampler.next(LOGITS, LOGITS.length, new int[0]);
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameTokensAndAnotherSeedOthers() {
        assertArrayEquals(draws(Sampling.of(1.0, 7), 200), draws(Sampling.of(1.0, 7), 200));
        assertTrue(!java.util.Arrays.equals(draws(Sampling.of(1.0, 7), 200), draws(Sampling.of(1.0, 8), 200)));
    }

    @Test
    void aTemperatureNearZeroIsGreedyAndNoLimitsArePlainSampling() {
        Random rnd = new Random(1);
        Sampler cold = new Sampler(Sampling.of(1e-4, 3), 0);
        Sampler greedy = new Sampler(Sampling.greedy(), 0);
        for (int row = 0; row < 100; row++) {
            float[] z = new float[50];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) rnd.nextGaussian() * 3;
            }
            assertEquals(greedy.next(z, z.length, new int[0]), cold.next(z, z.length, new int[0]), "row " + row);
        }
        assertArrayEquals(draws(Sampling.of(0.8, 4), 300), draws(new Sampling(0.8, LOGITS.length, 1.0, 1, 4), 300),
                "top-k = vocabulary and top-p = 1 are plain sampling");
    }

    /** 2,000 draws at T = 0.7 against softmax(logits / T): chi-square with 4 degrees of freedom below 18.47 (α 0.001). */
    @Test
    void drawsFollowSoftmaxOfLogitsOverTemperature() {
        double t = 0.7;
        int n = 2000;
        int[] counts = new int[LOGITS.length];
        for (int token : draws(Sampling.of(t, 11), n)) {
            counts[token]++;
        }
        double sum = 0;
        double[] p = new double[LOGITS.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(LOGITS[i] / t);
            sum += p[i];
        }
        double chi2 = 0;
        for (int i = 0; i < p.length; i++) {
            double expected = n * p[i] / sum;
            chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        assertTrue(chi2 < 18.47, "chi-square " + chi2);
    }

    @Test
    void topKTopPAndTheRepetitionPenaltyFollowTheirRules() {
        double[] z = {2.0, 1.0, 0.5, 0.0, -1.0};
        double[] k2 = new Sampler(new Sampling(1, 2, 1, 1, 0), 0).probabilities(z);
        double e = Math.exp(-1);
        assertArrayEquals(new double[] {1 / (1 + e), e / (1 + e), 0, 0, 0}, k2, 1e-12);
        // softmax(z) = [.5465, .2010, .1219, .0740, .0272]: top-p 0.7 keeps the first two (0.7475 >= 0.7)
        double[] p07 = new Sampler(new Sampling(1, 0, 0.7, 1, 0), 0).probabilities(z);
        assertArrayEquals(k2, p07, 1e-12);
        // ties at the cut: top-k 2 of {1, 3, 3, 3} keeps the 3s with the lower ids (1 and 2), as a sorted order would
        double[] tied = new Sampler(new Sampling(1, 2, 1, 1, 0), 0).probabilities(new double[] {1, 3, 3, 3});
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, tied, 1e-12);
        // penalty 2 on token 0 (logit 2 -> 1) and token 4 (logit -1 -> -2): greedy now ties 0 and 1, the first wins
        Sampler penalised = new Sampler(new Sampling(0, 0, 1, 2, 0), 0);
        assertEquals(0, penalised.next(new float[] {2, 1.5f, 0, 0, 0}, 5, new int[0]));
        assertEquals(1, penalised.next(new float[] {2, 1.5f, 0, 0, 0}, 5, new int[] {0, 0}));
    }

    @Test
    void positionsDuringGenerationAreFixedAgainstThePrompt() {
        assertTrue(Positions.of(-1).selectsDuringGeneration(4, 5));
        assertTrue(!Positions.of(-1).selectsDuringGeneration(5, 5));
        assertTrue(Positions.generated().selectsDuringGeneration(7, 5) && !Positions.generated().selectsDuringGeneration(4, 5));
        assertTrue(Positions.prompt().selectsDuringGeneration(0, 5) && !Positions.prompt().selectsDuringGeneration(5, 5));
        assertTrue(Positions.all().selectsDuringGeneration(9, 5));
        assertEquals(0, Positions.generated().resolve(4).length, "outside generation nothing is generated");
    }

    @Test
    void badSettingsAreOneLineErrorsNamingTheSetting() {
        for (Runnable bad : new Runnable[] {() -> new Sampling(-0.5, 0, 1, 1, 0), () -> new Sampling(1, -1, 1, 1, 0),
                () -> new Sampling(1, 0, 0, 1, 0), () -> new Sampling(1, 0, 1.01, 1, 0), () -> new Sampling(1, 0, 1, 0, 0),
                () -> GenerationRequest.builder(new int[] {1}).maxTokens(0).build(),
                () -> GenerationRequest.builder(new int[] {1}).stopStrings(java.util.List.of("")).build()}) {
            try {
                bad.run();
                throw new AssertionError("accepted");
            } catch (LoupeException e) {
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            }
        }
    }
}
