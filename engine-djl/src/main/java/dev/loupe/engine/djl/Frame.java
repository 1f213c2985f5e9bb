package dev.loupe.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.DecodeKeys;
import dev.loupe.api.spi.PaddedBatch;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where one forward pass's positions sit: the new tokens [batch, t], their position ids, and for every layer the
 * attention mask [batch, 1, t, keys] (through its sliding window; null where it allows every key, as for one
 * unpadded sequence's decoding step) and rotary table. A whole padded batch has keys = t; a decoding step sees the
 * cached keys before its t new ones.
 */
final class Frame {
    final int batch;
    final int length;
    final NDArray ids;
    final NDArray positions;
    final NDArray[] allowed;
    /** −∞, what a masked score becomes. */
    final NDArray masked;
    final Rotary[] rotary;
    /** Row of each sequence's last real token in the flattened [batch · t] positions. */
    final long[] lastRows;

    private Frame(NDManager m, ModelSpec spec, int batch, int length, long[] ids, long[] queryPositions,
                  boolean[] keyValid, long[] keyPositions, int keys, long[] lastRows) {
        this.batch = batch;
        this.length = length;
        this.ids = m.create(ids, new Shape(batch, length));
        this.positions = m.create(queryPositions, new Shape(batch, length));
        this.lastRows = lastRows;
        int n = spec.nLayers();
        allowed = new NDArray[n];
        rotary = new Rotary[n];
        masked = m.full(new Shape(), Float.NEGATIVE_INFINITY);
        Map<Integer, Optional<NDArray>> masks = new HashMap<>();
        Map<String, Rotary> tables = new HashMap<>();
        Shape maskShape = new Shape(batch, 1, length, keys);
        for (int l = 0; l < n; l++) {
            allowed[l] = masks.computeIfAbsent(spec.features().slidingWindow(l), win -> {
                boolean[] mask = mask(batch, length, keys, queryPositions, keyValid, keyPositions, win);
                return allTrue(mask) ? Optional.empty() : Optional.of(m.create(mask, maskShape));
            }).orElse(null);
            if (spec.positional() == ModelSpec.PositionalKind.ROTARY) {
                float[] inv = spec.inverseFrequencies(l);
                rotary[l] = tables.computeIfAbsent(Arrays.toString(inv), k -> Rotary.of(m, inv, spec.dHead(),
                        spec.features().interleavedRotary(), queryPositions, batch, length));
            }
        }
    }

    /** A whole left- or right-padded batch. */
    static Frame of(NDManager m, ModelSpec spec, PaddedBatch b) {
        long[] last = new long[b.size()];
        for (int i = 0; i < last.length; i++) {
            last[i] = (long) i * b.length() + b.lastIndex()[i];
        }
        return new Frame(m, spec, b.size(), b.length(), b.ids(), b.positions(), b.valid(), b.positions(), b.length(),
                last);
    }

    /**
     * One new token per sequence after {@code keys − 1} cached positions whose validity and position ids are
     * {@code keyValid} / {@code keyPositions} [batch · keys] (the new token's own entry last).
     */
    static Frame step(NDManager m, ModelSpec spec, long[] tokens, DecodeKeys keys) {
        long[] last = new long[keys.size()];
        java.util.Arrays.setAll(last, i -> i);
        return new Frame(m, spec, keys.size(), 1, tokens, keys.lastPositions(), keys.valid(), keys.positions(),
                keys.length(), last);
    }

    private static boolean allTrue(boolean[] mask) {
        for (boolean b : mask) {
            if (!b) {
                return false;
            }
        }
        return true;
    }

    /**
     * Query q (the (keys − t + q)-th key) sees key k at or before itself that is not padding and, with a window,
     * whose position differs by less than the window; a query always sees itself (Hugging Face's masks).
     */
    private static boolean[] mask(int batch, int t, int keys, long[] queryPositions, boolean[] keyValid,
                                  long[] keyPositions, int window) {
        boolean[] out = new boolean[batch * t * keys];
        for (int b = 0; b < batch; b++) {
            for (int q = 0; q < t; q++) {
                int self = keys - t + q;
                long pq = queryPositions[b * t + q];
                for (int k = 0; k <= self; k++) {
                    boolean inWindow = window <= 0 || pq - keyPositions[b * keys + k] < window;
                    out[(b * t + q) * keys + k] = k == self || (keyValid[b * keys + k] && inWindow);
                }
            }
        }
        return out;
    }
}
