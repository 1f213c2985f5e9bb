package dev.loupe.api.generation;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Tensor;
import java.util.Map;

/**
 * Receives each generated token as it is chosen (streaming) and, when the request caches hooks, each forward pass's
 * activations at the positions it added; called on the generating thread.
 */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (sequence, token) -> { };

    /** Sequence {@code sequence} (index into the request's prompts) gained {@code token}. */
    void onToken(int sequence, int token);

    /**
     * The requested hooks at the positions pass {@code pass} added, as the trajectory holds them there: pass 0 is the
     * padded prompt [batch, promptLength, …], pass k ≥ 1 the k-th generated token [batch, 1, …] (attention scores
     * and patterns over every key so far). Joined along the position axis they are the trajectory.
     */
    default void onActivations(int pass, Map<HookPoint, Tensor> added) {}
}
