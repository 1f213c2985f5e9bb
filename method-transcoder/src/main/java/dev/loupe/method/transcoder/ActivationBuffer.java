package dev.loupe.method.transcoder;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.io.SafetensorsFile;
import java.util.Random;

/**
 * Shuffled batches from a harvest's shards (SAELens' buffer): {@code capacity} rows are held and shuffled; batches are
 * served from the first half; when it is used up, that half is refilled from the next shard rows (cycling through
 * the shards) and the whole buffer is shuffled again, so each row mixes with rows read long before and after it.
 * Deterministic for a seed: a resumed run skips the batches it already trained on and sees the same stream.
 */
public final class ActivationBuffer {
    private final ActivationHarvest harvest;
    private final int capacity;
    private final int half;
    private final Random rnd;
    private final float[] xs;
    private final float[] ys;
    private int served;
    private int shard = -1;
    private int row;
    private float[] shardX;
    private float[] shardY;
    private int shardRows;

    public ActivationBuffer(ActivationHarvest harvest, int capacity, long seed) {
        if (capacity < 2) {
            throw new LoupeException("activation buffer: capacity must be at least 2 rows, got " + capacity);
        }
        this.harvest = harvest;
        this.capacity = capacity;
        this.half = capacity / 2;
        this.rnd = new Random(seed);
        this.xs = new float[capacity * harvest.dIn()];
        this.ys = new float[capacity * harvest.dOut()];
        fill(0, capacity);
        shuffle();
    }

    /** The next batch: x [n, d_in], y [n, d_out]. */
    public Tensor[] next(int n) {
        if (n > half) {
            throw new LoupeException("activation buffer: a batch of " + n + " rows needs a buffer of at least " + 2 * n
                    + " rows, got " + capacity);
        }
        if (served + n > half) {
            fill(0, half);
            shuffle();
            served = 0;
        }
        float[] bx = new float[n * harvest.dIn()];
        float[] by = new float[n * harvest.dOut()];
        System.arraycopy(xs, served * harvest.dIn(), bx, 0, bx.length);
        System.arraycopy(ys, served * harvest.dOut(), by, 0, by.length);
        served += n;
        return new Tensor[] {Tensor.of(bx, n, harvest.dIn()), Tensor.of(by, n, harvest.dOut())};
    }

    /** Advances past {@code batches} batches of {@code n} rows without returning them. */
    public void skip(long batches, int n) {
        for (long b = 0; b < batches; b++) {
            next(n);
        }
    }

    private void fill(int from, int to) {
        int dIn = harvest.dIn();
        int dOut = harvest.dOut();
        for (int i = from; i < to; i++) {
            if (shard < 0 || row == shardRows) {
                load((shard + 1) % harvest.shards().size());
            }
            System.arraycopy(shardX, row * dIn, xs, i * dIn, dIn);
            System.arraycopy(shardY, row * dOut, ys, i * dOut, dOut);
            row++;
        }
    }

    private void load(int index) {
        java.nio.file.Path file = harvest.dir().resolve(harvest.shards().get(index));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Tensor x = f.tensor("x");
            Tensor y = f.tensor("y");
            if (x.rank() != 2 || x.size(1) != harvest.dIn() || y.size(1) != harvest.dOut() || x.size(0) != y.size(0)) {
                throw new LoupeException(file + ": expected x [n, " + harvest.dIn() + "] and y [n, " + harvest.dOut()
                        + "]");
            }
            shardX = x.toArray();
            shardY = y.toArray();
            shardRows = x.size(0);
        }
        shard = index;
        row = 0;
    }

    private void shuffle() {
        int dIn = harvest.dIn();
        int dOut = harvest.dOut();
        float[] tmpX = new float[dIn];
        float[] tmpY = new float[dOut];
        for (int i = capacity - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            swap(xs, i, j, dIn, tmpX);
            swap(ys, i, j, dOut, tmpY);
        }
    }

    private static void swap(float[] a, int i, int j, int d, float[] tmp) {
        System.arraycopy(a, i * d, tmp, 0, d);
        System.arraycopy(a, j * d, a, i * d, d);
        System.arraycopy(tmp, 0, a, j * d, d);
    }
}
