package dev.loupe.api.objective;

import java.util.Arrays;

/**
 * Which token each logits row should predict, for one sequence of a batch: the logits at {@code positions[i]}
 * predict {@code tokens[i]}.
 *
 * @param sequence  index of the sequence in the batch
 * @param positions logits rows (the row at position p predicts token p + 1)
 * @param tokens    target token ids, one per position
 */
public record TokenTargets(int sequence, int[] positions, int[] tokens) {
    public TokenTargets {
        if (positions.length != tokens.length || positions.length == 0) {
            throw new IllegalArgumentException("token targets need as many positions as tokens (and at least one), got "
                    + positions.length + " and " + tokens.length);
        }
        positions = positions.clone();
        tokens = tokens.clone();
    }

    /** Teacher forcing over a completion: the completion's tokens, predicted from {@code promptLength - 1} on. */
    public static TokenTargets completion(int sequence, int promptLength, int[] completion) {
        int[] pos = new int[completion.length];
        Arrays.setAll(pos, i -> promptLength - 1 + i);
        return new TokenTargets(sequence, pos, completion);
    }

    @Override
    public int[] positions() {
        return positions.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenTargets t && t.sequence == sequence && Arrays.equals(t.positions, positions)
                && Arrays.equals(t.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * sequence + Arrays.hashCode(positions)) + Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "TokenTargets[sequence=" + sequence + ", positions=" + Arrays.toString(positions) + ", tokens="
                + Arrays.toString(tokens) + "]";
    }
}
