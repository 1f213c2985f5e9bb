package dev.loupe.spark;

import dev.loupe.api.LoupeException;
import dev.loupe.data.TokenizerPolicy;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * How a distributed harvest cuts the packed token stream so that its rows are the single-machine harvest's, row for
 * row: the stream is the corpus files' tokens end to end (for BOS-per-window, the first file's leading separator
 * dropped, as {@link dev.loupe.data.TokenWindows} never writes one before the first document); window k starts at
 * {@code k · stride}; the harvest needs the first {@code ceil(rows / (context − 1))} windows, rounded up to whole
 * model batches, as the single-machine harvest runs them; partition p takes a run of whole batches. Pure arithmetic,
 * shared by the driver and the tasks.
 *
 * @param offsets   stream position of each file's first token (the first may be −1: a dropped separator)
 * @param lengths   tokens of each file
 * @param context   tokens per window
 * @param text      text tokens per window
 * @param stride    tokens between window starts
 * @param rows      rows to write in all (context − 1 per window but the last)
 * @param windows   windows to run
 * @param perPartition windows per partition (a multiple of {@code batch}; the last partition may hold fewer)
 */
public record HarvestPlan(long[] offsets, long[] lengths, int context, int text, int stride, long rows, long windows,
                          long perPartition) implements Serializable {

    /** A run of the stream: tokens from {@code start} on. */
    public record Piece(long start, int[] tokens) implements Serializable {}

    /**
     * The plan for files of {@code lengths} tokens cut by {@code policy} (resolved), {@code rows} rows wanted (fewer
     * when the stream ends), in at most {@code partitions} partitions of whole {@code batch}es.
     */
    public static HarvestPlan of(long[] lengths, TokenizerPolicy policy, long rows, int partitions, int batch) {
        int context = policy.context();
        int text = policy.textLength();
        int stride = policy.stride();
        long[] offsets = new long[lengths.length];
        long at = policy.bos() == TokenizerPolicy.Bos.WINDOW ? -1 : 0;
        for (int i = 0; i < lengths.length; i++) {
            offsets[i] = at;
            at += lengths[i];
        }
        long total = Math.max(0, at);
        long whole = policy.windowsIn(total);
        if (whole == 0) {
            throw new LoupeException("the corpus gave no window to harvest: " + total + " tokens, a window needs "
                    + text + " (each window needs at least 2 tokens)");
        }
        long needed = Math.min(whole, ceilDiv(rows, context - 1));
        long windows = Math.min(whole, ceilDiv(needed, batch) * batch);
        long batches = ceilDiv(windows, batch);
        long perPartition = ceilDiv(batches, Math.max(1, partitions)) * batch;
        return new HarvestPlan(offsets, lengths.clone(), context, text, stride,
                Math.min(rows, needed * (context - 1)), windows, perPartition);
    }

    /** Partitions that hold at least one window. */
    public int partitions() {
        return Math.toIntExact(ceilDiv(windows, perPartition));
    }

    /** The first window of partition {@code p}. */
    public long firstWindow(int p) {
        return p * perPartition;
    }

    /** One past the last window of partition {@code p}. */
    public long endWindow(int p) {
        return Math.min(windows, (p + 1) * perPartition);
    }

    /** Rows partition {@code p} writes: context − 1 per window, up to what the harvest still wants. */
    public long rows(int p) {
        long before = firstWindow(p) * (context - 1);
        return Math.max(0, Math.min(rows - before, (endWindow(p) - firstWindow(p)) * (context - 1)));
    }

    /** The stream positions partition {@code p}'s windows read: [start, end). */
    public long[] span(int p) {
        return new long[] {firstWindow(p) * stride, (endWindow(p) - 1) * stride + text};
    }

    /** The pieces of file {@code file}'s tokens that each partition reads, keyed by partition. */
    public List<java.util.Map.Entry<Integer, Piece>> pieces(int file, int[] tokens) {
        List<java.util.Map.Entry<Integer, Piece>> out = new ArrayList<>();
        long from = Math.max(offsets[file], 0);
        long to = offsets[file] + tokens.length;
        for (int p = 0; p < partitions() && from < to; p++) {
            long[] span = span(p);
            long a = Math.max(span[0], from);
            long b = Math.min(span[1], to);
            if (a < b) {
                int skip = Math.toIntExact(a - offsets[file]);
                out.add(java.util.Map.entry(p, new Piece(a, java.util.Arrays.copyOfRange(tokens, skip,
                        skip + Math.toIntExact(b - a)))));
            }
        }
        return out;
    }

    /** Partition {@code p}'s stretch of the stream from its pieces (any order). */
    public int[] assemble(int p, Iterable<Piece> pieces) {
        long[] span = span(p);
        int[] slice = new int[Math.toIntExact(span[1] - span[0])];
        long filled = 0;
        for (Piece piece : pieces) {
            System.arraycopy(piece.tokens(), 0, slice, Math.toIntExact(piece.start() - span[0]), piece.tokens().length);
            filled += piece.tokens().length;
        }
        if (filled != slice.length) {
            throw new IllegalStateException("partition " + p + ": " + filled + " of " + slice.length
                    + " stream tokens arrived");
        }
        return slice;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
