package dev.loupe.method.steering;

import dev.loupe.api.Tokenizer;
import java.util.List;

/**
 * One training example for a steering vector: a prompt, completions whose probability the vector should raise
 * (promotion) and completions it should lower (suppression). A negative datapoint is trained with −v.
 *
 * @param prompt     prompt token ids (BOS included if the model expects one)
 * @param promote    completions to promote, as token ids
 * @param suppress   completions to suppress, as token ids
 * @param negative   apply −v instead of v on this datapoint
 */
public record Datapoint(int[] prompt, List<int[]> promote, List<int[]> suppress, boolean negative) {
    public Datapoint {
        prompt = prompt.clone();
        promote = promote.stream().map(int[]::clone).toList();
        suppress = suppress.stream().map(int[]::clone).toList();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("a steering datapoint needs a non-empty prompt");
        }
        if (promote.isEmpty() && suppress.isEmpty()) {
            throw new IllegalArgumentException("a steering datapoint needs a completion to promote or suppress");
        }
    }

    /**
     * A datapoint from text: the prompt under the one BOS policy ({@link Tokenizer#encodeWithBos}), each completion
     * encoded alone.
     */
    public static Datapoint of(Tokenizer tokenizer, String prompt, List<String> promote, List<String> suppress) {
        return of(tokenizer, tokenizer.encodeWithBos(prompt), promote, suppress);
    }

    /** A datapoint from prompt ids already encoded (e.g. a rendered chat), each completion encoded alone. */
    public static Datapoint of(Tokenizer tokenizer, int[] prompt, List<String> promote, List<String> suppress) {
        return new Datapoint(prompt, promote.stream().map(tokenizer::encode).toList(),
                suppress.stream().map(tokenizer::encode).toList(), false);
    }

    public static Datapoint promoting(int[] prompt, int[] completion) {
        return new Datapoint(prompt, List.of(completion), List.of(), false);
    }

    public static Datapoint suppressing(int[] prompt, int[] completion) {
        return new Datapoint(prompt, List.of(), List.of(completion), false);
    }
}
