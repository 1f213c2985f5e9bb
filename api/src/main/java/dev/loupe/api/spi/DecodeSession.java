package dev.loupe.api.spi;

import dev.loupe.api.HookPoint;
import dev.loupe.api.RunResult;
import dev.loupe.api.intervention.Intervention;
import java.util.List;
import java.util.Set;

/**
 * An engine's incremental forward pass for generation, keeping each layer's keys and values: {@link #prefill} runs
 * the left-padded prompts once, then each {@link #step} runs one new position per sequence. Interventions and cached
 * hooks apply to the positions of that call only (the Generator states which interventions apply where); cached
 * activations come back shaped [batch, new positions, …] ([batch, heads, new positions, all keys so far] for
 * attention scores and patterns). Engines with {@link dev.loupe.api.Capability#KV_CACHE} provide it. One thread.
 */
public interface DecodeSession extends AutoCloseable {
    /** Runs the prompts (left-padded, as {@link PaddedBatch}); logits [batch, vocab] at the last position. */
    RunResult prefill(List<int[]> prompts, List<Intervention> interventions, Set<HookPoint> cache);

    /** Appends one token per sequence; logits [batch, vocab] at the new position. */
    RunResult step(int[] tokens, List<Intervention> interventions, Set<HookPoint> cache);

    @Override
    void close();
}
