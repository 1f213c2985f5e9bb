package dev.loupe.api.generation;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Tensor;
import java.util.List;
import java.util.Map;

/**
 * What a generation gave: one completion per prompt, in order, and the requested hooks' activations over the padded
 * trajectory [batch, promptLength + steps, …] (as a forward of the final padded sequences gives them; positions
 * after a sequence stopped hold its filler tokens).
 *
 * @param steps  how many tokens were generated for the longest-running sequence
 * @param logits with {@code keepLogits}: the logits [batch, vocab] each step's token was chosen from, else empty
 */
public record GenerationResult(List<Completion> completions, Map<HookPoint, Tensor> cache, int steps,
                               List<Tensor> logits) {
    public GenerationResult {
        completions = List.copyOf(completions);
        cache = Map.copyOf(cache);
        logits = List.copyOf(logits);
    }

    /** Why a sequence stopped. */
    public enum Finish { STOP_TOKEN, STOP_STRING, MAX_TOKENS, CONTEXT }

    /**
     * One sequence's new tokens (a stop token or the token that completed a stop string included) and their text
     * (empty when the model has no tokenizer).
     */
    public record Completion(int[] tokens, String text, Finish finish) {
        public Completion {
            tokens = tokens.clone();
        }

        @Override
        public int[] tokens() {
            return tokens.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Completion c && java.util.Arrays.equals(tokens, c.tokens) && text.equals(c.text)
                    && finish == c.finish;
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(tokens) * 31 + text.hashCode();
        }

        @Override
        public String toString() {
            return "Completion" + java.util.Arrays.toString(tokens) + " " + finish + " \"" + text + "\"";
        }
    }
}
