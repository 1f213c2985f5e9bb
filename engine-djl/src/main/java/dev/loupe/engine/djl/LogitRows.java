package dev.loupe.engine.djl;

import dev.loupe.api.LoupeException;
import dev.loupe.api.objective.Objective;
import dev.loupe.api.objective.TokenTargets;
import dev.loupe.api.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The (sequence, position) rows whose logits an objective reads, so a gradient pass unembeds those rows only (the
 * unembedding of every position and its backward are most of a long prompt's gradient), and the objective rewritten
 * over them: one sequence whose position i is the i-th row.
 */
final class LogitRows {
    private final Map<Long, Integer> index = new LinkedHashMap<>();
    private final int batch;
    private final int length;

    private LogitRows(int batch, int length) {
        this.batch = batch;
        this.length = length;
    }

    /** The rows {@code o} reads in a [batch, length] pass; positions outside it are one-line errors. */
    static LogitRows of(Objective o, int batch, int length) {
        LogitRows rows = new LogitRows(batch, length);
        rows.collect(o);
        return rows;
    }

    /** Flat row numbers (sequence · length + position) in order. */
    long[] flat() {
        return index.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    int size() {
        return index.size();
    }

    /** {@code o} over the picked rows as one sequence [1, size, vocab]. */
    Objective remap(Objective o) {
        return switch (o) {
            case Objective.TokenLogProb p -> new Objective.TokenLogProb(remap(p.targets()), p.coldness());
            case Objective.TokenLogOneMinusProb p -> new Objective.TokenLogOneMinusProb(remap(p.targets()),
                    p.coldness());
            case Objective.LogitDifference d -> new Objective.LogitDifference(0, row(d.sequence(), d.position()),
                    d.tokenA(), d.tokenB());
            case Objective.HookDot h -> h;
            case Objective.WeightedSum s -> new Objective.WeightedSum(s.terms().stream()
                    .map(t -> new Objective.Term(t.weight(), remap(t.objective()))).toList());
            case Objective.Extension e -> new Picked(e, e.rows().stream()
                    .map(r -> new Objective.LogitRow(0, row(r.sequence(), r.position()))).toList());
        };
    }

    /** A plugin's objective over the picked rows: its own code, reading them where they now are. */
    private record Picked(Objective.Extension of, List<Objective.LogitRow> rows) implements Objective.Extension {
        @Override
        public String kind() {
            return of.kind();
        }

        @Override
        public double value(Tensor logits) {
            return of.value(logits);
        }

        @Override
        public Tensor gradient(Tensor logits) {
            return of.gradient(logits);
        }
    }

    private TokenTargets remap(TokenTargets t) {
        int[] positions = t.positions();
        int[] rows = new int[positions.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = row(t.sequence(), positions[i]);
        }
        return new TokenTargets(0, rows, t.tokens());
    }

    private int row(int sequence, int position) {
        return index.get((long) sequence * length + position);
    }

    private void collect(Objective o) {
        switch (o) {
            case Objective.TokenLogProb p -> add(p.targets());
            case Objective.TokenLogOneMinusProb p -> add(p.targets());
            case Objective.LogitDifference d -> add(d.sequence(), d.position());
            case Objective.HookDot h -> { }
            case Objective.WeightedSum s -> s.terms().forEach(t -> collect(t.objective()));
            case Objective.Extension e -> {
                if (e.rows() == null || e.rows().isEmpty()) {
                    throw new LoupeException("objective kind '" + e.kind() + "' reads no logits row (rows() is empty)");
                }
                e.rows().forEach(r -> add(r.sequence(), r.position()));
            }
        }
    }

    private void add(TokenTargets t) {
        for (int p : t.positions()) {
            add(t.sequence(), p);
        }
    }

    private void add(int sequence, int position) {
        if (sequence < 0 || sequence >= batch || position < 0 || position >= length) {
            throw new LoupeException("objective position (sequence " + sequence + ", position " + position
                    + ") is outside the batch [" + batch + " sequences × " + length + " positions]");
        }
        index.putIfAbsent((long) sequence * length + position, index.size());
    }
}
