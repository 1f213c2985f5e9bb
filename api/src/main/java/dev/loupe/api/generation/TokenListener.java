package dev.loupe.api.generation;

/** Receives each generated token as it is chosen (streaming); called on the generating thread. */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (sequence, token) -> { };

    /** Sequence {@code sequence} (index into the request's prompts) gained {@code token}. */
    void onToken(int sequence, int token);
}
