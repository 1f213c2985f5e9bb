package dev.loupe.api.generation;

import dev.loupe.api.LoupeException;

/**
 * How the next token is chosen, as Hugging Face's {@code generate} chooses it: a repetition penalty on the logits of
 * tokens already in the sequence (divide positive logits, multiply negative ones), then greedy at temperature 0,
 * else a draw from softmax(logits / temperature) kept to the {@code topK} most likely tokens (0: all) and to the
 * smallest set whose probability reaches {@code topP}. The same seed gives the same tokens on the same engine.
 *
 * @param temperature       ≥ 0; 0 is greedy
 * @param topK              ≥ 0; 0 keeps every token
 * @param topP              in (0, 1]; 1 keeps every token
 * @param repetitionPenalty &gt; 0; 1 is none
 * @param seed              the random seed of the draws
 */
public record Sampling(double temperature, int topK, double topP, double repetitionPenalty, long seed) {
    public Sampling {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new LoupeException("temperature " + temperature + ": expected a finite number >= 0 (0 is greedy)");
        }
        if (topK < 0) {
            throw new LoupeException("top-k " + topK + ": expected >= 0 (0 keeps every token)");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new LoupeException("top-p " + topP + ": expected a number in (0, 1]");
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new LoupeException("repetition penalty " + repetitionPenalty + ": expected a finite number > 0 "
                    + "(1 is none)");
        }
    }

    /** The most likely token every step. */
    public static Sampling greedy() {
        return new Sampling(0, 0, 1, 1, 0);
    }

    /** Plain sampling at {@code temperature}, every token kept. */
    public static Sampling of(double temperature, long seed) {
        return new Sampling(temperature, 0, 1, 1, seed);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
