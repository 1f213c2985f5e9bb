package dev.loupe.spark;

import dev.loupe.io.SafetensorsFile;
import dev.loupe.method.transcoder.ActivationHarvest;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Whether two harvest folders hold the same rows in the same order, bit for bit, whatever their shard boundaries:
 * how a distributed harvest is checked against the single-machine one.
 *
 * @param rows       rows compared (the shorter harvest's count when they differ in length)
 * @param firstDiff  the first row that differs, or −1
 * @param sameLength whether both hold as many rows
 */
public record HarvestDiff(long rows, long firstDiff, boolean sameLength) {
    /** Whether the harvests are identical. */
    public boolean identical() {
        return sameLength && firstDiff < 0;
    }

    public static HarvestDiff of(Path expected, Path actual) {
        ActivationHarvest a = ActivationHarvest.open(expected);
        ActivationHarvest b = ActivationHarvest.open(actual);
        boolean same = a.tokens() == b.tokens() && a.dIn() == b.dIn() && a.dOut() == b.dOut()
                && a.hookIn().equals(b.hookIn()) && a.hookOut().equals(b.hookOut());
        Rows ra = new Rows(a);
        Rows rb = new Rows(b);
        long row = 0;
        while (ra.hasNext() && rb.hasNext()) {
            if (!java.util.Arrays.equals(ra.next(), rb.next())) {
                return new HarvestDiff(row, row, same);
            }
            row++;
        }
        return new HarvestDiff(row, -1, same && !ra.hasNext() && !rb.hasNext());
    }

    /** A harvest's rows, x and y of one row end to end, shard by shard. */
    private static final class Rows implements Iterator<float[]> {
        private final ActivationHarvest h;
        private int shard;
        private float[] x;
        private float[] y;
        private int at;
        private int count;

        Rows(ActivationHarvest h) {
            this.h = h;
        }

        @Override
        public boolean hasNext() {
            while (at == count && shard < h.shards().size()) {
                try (SafetensorsFile f = SafetensorsFile.open(h.dir().resolve(h.shards().get(shard++)))) {
                    x = f.tensor("x").toArray();
                    y = f.tensor("y").toArray();
                }
                at = 0;
                count = x.length / h.dIn();
            }
            return at < count;
        }

        @Override
        public float[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            float[] row = new float[h.dIn() + h.dOut()];
            System.arraycopy(x, at * h.dIn(), row, 0, h.dIn());
            System.arraycopy(y, at * h.dOut(), row, h.dIn(), h.dOut());
            at++;
            return row;
        }
    }
}
