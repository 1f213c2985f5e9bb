package dev.loupe.api;

import java.util.Arrays;

/**
 * Which token positions an intervention touches, as indices into the (padded) sequence axis.
 * Negative indices count from the end: -1 is the last position.
 *
 * <p>During generation ({@link dev.loupe.api.generation.Generator}) positions are fixed once, against the (padded)
 * prompt: indices and ranges select prompt positions only ({@code -1} is the prompt's last token),
 * {@link #all()} every prompt and generated position, {@link #prompt()} the prompt and {@link #generated()} each
 * generated token. Outside generation every position is a prompt position.
 */
public sealed interface Positions {
    /** The selected positions for a sequence axis of length {@code length}, ascending, without repeats. */
    int[] resolve(int length);

    static Positions all() {
        return new All();
    }

    static Positions of(int... indices) {
        return new Indices(indices);
    }

    /** Positions {@code from} (inclusive) to {@code to} (exclusive); negative values count from the end. */
    static Positions range(int from, int to) {
        return new Range(from, to);
    }

    /** The prompt's positions (every position of a plain run). */
    static Positions prompt() {
        return new Prompt();
    }

    /** The generated positions only (none in a plain run). */
    static Positions generated() {
        return new Generated();
    }

    /**
     * Whether absolute position {@code position} of a generation whose padded prompt has {@code promptLength}
     * positions is selected (see the class comment).
     */
    default boolean selectsDuringGeneration(int position, int promptLength) {
        if (position >= promptLength) {
            return this instanceof All || this instanceof Generated;
        }
        return Arrays.binarySearch(resolve(promptLength), position) >= 0;
    }

    /** Every prompt position; during generation, not the generated ones. */
    record Prompt() implements Positions {
        @Override
        public int[] resolve(int length) {
            return new All().resolve(length);
        }
    }

    /** Generated positions: none outside generation. */
    record Generated() implements Positions {
        @Override
        public int[] resolve(int length) {
            return new int[0];
        }
    }

    /** Every position. */
    record All() implements Positions {
        @Override
        public int[] resolve(int length) {
            int[] out = new int[length];
            Arrays.setAll(out, i -> i);
            return out;
        }
    }

    /** Listed positions. */
    record Indices(int[] indices) implements Positions {
        public Indices {
            indices = indices.clone();
        }

        @Override
        public int[] resolve(int length) {
            return Arrays.stream(indices).map(i -> normalise(i, length)).distinct().sorted().toArray();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Indices p && Arrays.equals(indices, p.indices);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(indices);
        }

        @Override
        public String toString() {
            return "Indices" + Arrays.toString(indices);
        }
    }

    /** A half-open slice of positions. */
    record Range(int from, int to) implements Positions {
        @Override
        public int[] resolve(int length) {
            int a = from < 0 ? from + length : from;
            int b = to < 0 ? to + length : Math.min(to, length);
            if (a < 0 || a > b) {
                throw new IllegalArgumentException("position range [" + from + ", " + to + ") is empty or out of "
                        + "range for " + length + " positions");
            }
            int[] out = new int[b - a];
            Arrays.setAll(out, i -> a + i);
            return out;
        }
    }

    private static int normalise(int i, int length) {
        int p = i < 0 ? i + length : i;
        if (p < 0 || p >= length) {
            throw new IllegalArgumentException("position " + i + " out of range for " + length + " positions");
        }
        return p;
    }
}
