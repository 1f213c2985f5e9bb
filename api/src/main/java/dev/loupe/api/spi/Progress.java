package dev.loupe.api.spi;

/** Receives progress of long work (training steps, batches) and warnings; the CLI draws progress as a bar. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (task, done, total, message) -> { };

    /** {@code done} of {@code total} units of {@code task} finished; {@code message} is a short status (loss). */
    void update(String task, long done, long total, String message);

    /** Something the user should know that does not stop the work (e.g. an artifact made on other weights). */
    default void warn(String message) {
        System.err.println("warning: " + message);
    }
}
