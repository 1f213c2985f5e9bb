package dev.loupe.api;

import dev.loupe.api.intervention.Intervention;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One forward pass over a batch of token sequences: what to cache and which interventions to apply.
 * Sequences of different lengths are padded on {@link #padding()}'s side and masked; with left padding,
 * position ids start at 0 at each sequence's first real token.
 *
 * @param sequences     token ids, one array per sequence (copied)
 * @param padding       where shorter sequences are padded
 * @param cache         hook points whose activations the result must contain
 * @param interventions applied in order at their hook points
 * @param logits        which logits to return
 */
public record RunRequest(List<int[]> sequences, Padding padding, Set<HookPoint> cache,
                         List<Intervention> interventions, LogitsMode logits) {

    /** Side on which shorter sequences of a batch are padded. */
    public enum Padding { LEFT, RIGHT }

    /** Which logits a run returns: [batch, pos, vocab], [batch, vocab] at each sequence's last token, or none. */
    public enum LogitsMode { ALL, LAST, NONE }

    public RunRequest {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("a run needs at least one sequence");
        }
        List<int[]> copy = new ArrayList<>();
        for (int[] s : sequences) {
            if (s.length == 0) {
                throw new IllegalArgumentException("sequence " + copy.size() + " is empty");
            }
            copy.add(s.clone());
        }
        sequences = List.copyOf(copy);
        cache = Set.copyOf(cache);
        interventions = List.copyOf(interventions);
    }

    /** A batch with all logits, no cache and no interventions, right-padded. */
    public static RunRequest of(int[]... sequences) {
        return new RunRequest(Arrays.asList(sequences), Padding.RIGHT, Set.of(), List.of(), LogitsMode.ALL);
    }

    public RunRequest withCache(Set<HookPoint> hooks) {
        return new RunRequest(sequences, padding, hooks, interventions, logits);
    }

    public RunRequest withCache(HookPoint... hooks) {
        return withCache(new LinkedHashSet<>(Arrays.asList(hooks)));
    }

    public RunRequest withInterventions(List<Intervention> list) {
        return new RunRequest(sequences, padding, cache, list, logits);
    }

    public RunRequest withInterventions(Intervention... list) {
        return withInterventions(Arrays.asList(list));
    }

    public RunRequest withPadding(Padding p) {
        return new RunRequest(sequences, p, cache, interventions, logits);
    }

    public RunRequest withLogits(LogitsMode mode) {
        return new RunRequest(sequences, padding, cache, interventions, mode);
    }

    /** Copy of sequence {@code i}. */
    public int[] sequence(int i) {
        return sequences.get(i).clone();
    }

    public int batchSize() {
        return sequences.size();
    }

    /** Length of the longest sequence: the padded length. */
    public int maxLength() {
        return sequences.stream().mapToInt(s -> s.length).max().orElseThrow();
    }
}
