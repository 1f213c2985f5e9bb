package dev.loupe.api.spi;

/** Receives progress of long work (training steps, batches); the CLI draws it as a bar. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (task, done, total, message) -> { };

    /** {@code done} of {@code total} units of {@code task} finished; {@code message} is a short status (loss). */
    void update(String task, long done, long total, String message);
}
