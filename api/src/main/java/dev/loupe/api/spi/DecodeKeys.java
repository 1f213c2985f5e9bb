package dev.loupe.api.spi;

import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;

/**
 * The keys a {@link DecodeSession} has cached, per sequence of a left-padded batch: which are real tokens (not
 * padding), their position ids, and each sequence's length. Engines build it from the prefill's {@link PaddedBatch}
 * and {@link #append} one token per sequence each step, so both engines mask and position a step alike.
 *
 * @param size      sequences
 * @param length    keys per sequence, padding included
 * @param valid     [size · length], false at padding
 * @param positions [size · length] position ids
 * @param lengths   real tokens per sequence
 */
public record DecodeKeys(int size, int length, boolean[] valid, long[] positions, int[] lengths) {
    public static DecodeKeys of(PaddedBatch prefill) {
        return new DecodeKeys(prefill.size(), prefill.length(), prefill.valid(), prefill.positions(),
                prefill.lengths());
    }

    /** These keys and one new token per sequence, checked against the vocabulary and the context. */
    public DecodeKeys append(int[] tokens, ModelSpec spec) {
        if (tokens.length != size) {
            throw new LoupeException("decoding step: " + tokens.length + " tokens for " + size + " sequences");
        }
        if (length + 1 > spec.nCtx()) {
            throw new LoupeException("decoding past the model's context of " + spec.nCtx() + " (n_ctx)");
        }
        int next = length + 1;
        boolean[] v = new boolean[size * next];
        long[] p = new long[size * next];
        int[] l = lengths.clone();
        for (int b = 0; b < size; b++) {
            if (tokens[b] < 0 || tokens[b] >= spec.dVocab()) {
                throw new LoupeException("token id " + tokens[b] + " at sequence " + b + " is out of range for a "
                        + "vocabulary of " + spec.dVocab());
            }
            System.arraycopy(valid, b * length, v, b * next, length);
            System.arraycopy(positions, b * length, p, b * next, length);
            v[b * next + length] = true;
            p[b * next + length] = p[b * next + length - 1] + 1;
            l[b]++;
        }
        return new DecodeKeys(size, next, v, p, l);
    }

    /** The position id of each sequence's newest key. */
    public long[] lastPositions() {
        long[] out = new long[size];
        for (int b = 0; b < size; b++) {
            out[b] = positions[b * length + length - 1];
        }
        return out;
    }
}
