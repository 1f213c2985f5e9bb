package dev.loupe.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Writes a file through a temporary sibling that is moved into place, so nobody ever sees half a file. The sibling
 * is {@code .NAME.PID.RANDOM.tmp}, created with the umask's mode (as any other new file); before each write, the
 * siblings that processes no longer running left behind for the same target are deleted.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** What fills the temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temporary) throws IOException;
    }

    public static void write(Path file, Content content) {
        try {
            Path tmp = newTemporary(file);
            try {
                content.writeTo(tmp);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Creates, empty, a new temporary sibling of {@code file} ({@code .NAME.PID.RANDOM.tmp}), after deleting the ones
     * dead processes left for it.
     */
    static Path newTemporary(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        removeStale(dir, file.getFileName().toString());
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
    }

    /** Whether {@code name} is the form of a temporary of {@code target}'s ({@link #newTemporary}). */
    static boolean isTemporaryOf(String name, String target) {
        return target.equals(targetOf(name));
    }

    /** The target a temporary named {@code name} is for, or null when it is not a temporary's name. */
    private static String targetOf(String name) {
        if (!name.startsWith(".") || !name.endsWith(".tmp")) {
            return null;
        }
        String[] parts = name.substring(1, name.length() - 4).split("\\.");
        int n = parts.length;
        if (n < 3 || !parts[n - 2].matches("\\d{1,18}") || !parts[n - 1].matches("[0-9a-f]{1,16}")) {
            return null;
        }
        return String.join(".", java.util.Arrays.copyOf(parts, n - 2));
    }

    /**
     * A fresh id (hex) for one write of a multi-file artifact: its files carry or are named by it, so they cannot be
     * taken for an earlier write's.
     */
    public static String newRunId() {
        return Long.toHexString(new java.security.SecureRandom().nextLong() >>> 1);
    }

    /** Deletes {@code .NAME.PID.*.tmp} siblings whose process has ended. */
    static void removeStale(Path dir, String name) throws IOException {
        removeStaleTemporaries(dir, name::equals);
    }

    /**
     * Deletes the temporaries in {@code dir} that processes no longer running left for targets {@code target}
     * accepts: for writers whose file names change from run to run (run-named shards and data files), which the
     * next write to the same name would never meet.
     */
    public static void removeStaleTemporaries(Path dir, Predicate<String> target) throws IOException {
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, p -> {
            String t = targetOf(p.getFileName().toString());
            return t != null && target.test(t);
        })) {
            for (Path p : siblings) {
                String[] parts = p.getFileName().toString().split("\\.");
                long pid = Long.parseLong(parts[parts.length - 3]);
                if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
