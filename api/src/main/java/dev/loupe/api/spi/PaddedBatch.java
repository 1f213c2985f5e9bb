package dev.loupe.api.spi;

import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RunRequest;

/**
 * A request's sequences laid out as one padded [batch, pos] block: ids (pad id 0), a validity mask, and position
 * ids that start at 0 at each sequence's first real token (so left padding does not shift positions). Every engine
 * lays batches out this way, so padded runs mean the same thing everywhere.
 *
 * @param size      number of sequences
 * @param length    padded length
 * @param ids       [size · length] token ids, 0 at padding
 * @param valid     [size · length] true at real tokens
 * @param positions [size · length] position ids
 * @param lengths   real length of each sequence
 * @param lastIndex index of each sequence's last real token on the padded axis
 */
public record PaddedBatch(int size, int length, long[] ids, boolean[] valid, long[] positions, int[] lengths, int[] lastIndex) {

    /** Lays out {@code r}; a token id outside the vocabulary or a sequence past n_ctx is a one-line error. */
    public static PaddedBatch of(RunRequest r, ModelSpec spec) {
        int b = r.batchSize();
        int t = r.maxLength();
        if (t > spec.nCtx()) {
            // As TransformerLens: past n_ctx, learned positions do not exist and rotary ones were never trained.
            throw new LoupeException("sequence of " + t + " tokens is longer than the model's context of "
                    + spec.nCtx() + " (n_ctx, the config's max_position_embeddings or n_positions)");
        }
        long[] ids = new long[b * t];
        boolean[] valid = new boolean[b * t];
        long[] pos = new long[b * t];
        int[] lengths = new int[b];
        int[] last = new int[b];
        for (int i = 0; i < b; i++) {
            int[] seq = r.sequences().get(i);
            int offset = r.padding() == RunRequest.Padding.LEFT ? t - seq.length : 0;
            lengths[i] = seq.length;
            last[i] = offset + seq.length - 1;
            for (int j = 0; j < seq.length; j++) {
                int id = seq[j];
                if (id < 0 || id >= spec.dVocab()) {
                    throw new LoupeException("token id " + id + " at sequence " + i + ", position " + j
                            + " is out of range for a vocabulary of " + spec.dVocab());
                }
                ids[i * t + offset + j] = id;
                valid[i * t + offset + j] = true;
                pos[i * t + offset + j] = j;
            }
        }
        return new PaddedBatch(b, t, ids, valid, pos, lengths, last);
    }

    /** [batch, 1, q, k]: key k is visible from query q (causal, not padding; a query always sees itself). */
    public boolean[] attentionAllowed() {
        return attentionAllowed(0);
    }

    /**
     * As {@link #attentionAllowed()}, and through a sliding window of {@code window} keys when it is positive: query
     * q sees key k only when their positions differ by less than the window (Hugging Face's sliding-window mask).
     */
    public boolean[] attentionAllowed(int window) {
        boolean[] out = new boolean[size * length * length];
        for (int b = 0; b < size; b++) {
            for (int q = 0; q < length; q++) {
                for (int k = 0; k <= q; k++) {
                    boolean inWindow = window <= 0
                            || positions[b * length + q] - positions[b * length + k] < window;
                    out[(b * length + q) * length + k] = k == q || (valid[b * length + k] && inWindow);
                }
            }
        }
        return out;
    }
}
