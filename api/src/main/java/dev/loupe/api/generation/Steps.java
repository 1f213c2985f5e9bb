package dev.loupe.api.generation;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One way of running a generation's forward passes: {@link FullSteps} or {@link CachedSteps}. */
interface Steps extends AutoCloseable {
    /** Logits [batch, vocab] after the prompts. */
    Tensor first();

    /** Logits [batch, vocab] after appending one token per sequence. */
    Tensor next(int[] tokens);

    /** The requested hooks at the positions the last {@link #first} or {@link #next} added. */
    Map<HookPoint, Tensor> added();

    /** The requested hooks over every position run so far. */
    Map<HookPoint, Tensor> trajectory();

    @Override
    void close();

    /**
     * The interventions that touch positions [from, to) of a generation whose padded prompt has {@code promptLength}
     * positions, with their positions made explicit relative to that window; those touching none are left out.
     */
    static List<Intervention> at(List<Intervention> interventions, int promptLength, int from, int to) {
        List<Intervention> out = new ArrayList<>();
        for (Intervention iv : interventions) {
            if (iv instanceof Intervention.Custom) {
                out.add(iv);
                continue;
            }
            List<Integer> selected = new ArrayList<>();
            for (int p = from; p < to; p++) {
                if (iv.positions().selectsDuringGeneration(p, promptLength)) {
                    selected.add(p - from);
                }
            }
            if (selected.size() == to - from) {
                out.add(iv.withPositions(Positions.all()));
            } else if (!selected.isEmpty()) {
                out.add(iv.withPositions(Positions.of(selected.stream().mapToInt(Integer::intValue).toArray())));
            }
        }
        return out;
    }
}
