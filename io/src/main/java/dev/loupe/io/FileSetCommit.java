package dev.loupe.io;

import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces several files of one folder together, so that a reader sees either all the old files or all the new
 * ones, even when the writer is killed at any moment. Each new file is written to a temporary sibling
 * ({@link AtomicFiles}); then a journal naming every (temporary, target) pair is written atomically, which decides
 * the commit; then the temporaries are moved into place and the journal is deleted. A journal found later, by a
 * reader or the next writer ({@link #recover}), is rolled forward: the moves it names are made again (moves already
 * made are skipped). A write killed before its journal leaves the old files, and temporaries that the next write
 * deletes. One writer at a time per file set; readers may run beside it.
 */
public final class FileSetCommit {
    private FileSetCommit() {}

    /**
     * Writes {@code files} (file name in {@code journal}'s folder → content), in order, and commits them together.
     * {@code journal} is a hidden file name of the caller's choosing in that folder, the same for every write of
     * the set.
     */
    public static void write(Path journal, Map<String, AtomicFiles.Content> files) {
        Path dir = journal.toAbsolutePath().getParent();
        recover(journal);
        Map<String, Path> temporaries = new LinkedHashMap<>();
        List<String[]> moves = new ArrayList<>();
        try {
            for (Map.Entry<String, AtomicFiles.Content> f : files.entrySet()) {
                Path target = dir.resolve(requirePlainName(journal, f.getKey()));
                Path tmp = AtomicFiles.newTemporary(target);
                temporaries.put(f.getKey(), tmp);
                f.getValue().writeTo(tmp);
            }
            StringBuilder json = new StringBuilder("{\"moves\":[");
            String sep = "";
            for (Map.Entry<String, Path> t : temporaries.entrySet()) {
                moves.add(new String[] {t.getValue().getFileName().toString(), t.getKey()});
                json.append(sep).append('[').append(StrictJsonText.quote(moves.get(moves.size() - 1)[0])).append(',')
                        .append(StrictJsonText.quote(t.getKey())).append(']');
                sep = ",";
            }
            String text = json.append("]}\n").toString();
            AtomicFiles.write(journal, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            for (Path tmp : temporaries.values()) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the next write removes it
                }
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(dir + ": cannot write (" + io.getMessage() + ")", io);
            }
            throw (RuntimeException) e;
        }
        complete(journal, moves);
    }

    /**
     * Completes the commit {@code journal} records, if there is one, and deletes it; returns whether there was one.
     * Readers of the set call this before reading.
     */
    public static boolean recover(Path journal) {
        if (!Files.isRegularFile(journal)) {
            return false;
        }
        complete(journal, readJournal(journal));
        return true;
    }

    /** Makes the (temporary, target) moves a journal records, then deletes the journal. */
    private static void complete(Path journal, List<String[]> moves) {
        Path dir = journal.toAbsolutePath().getParent();
        try {
            for (String[] m : moves) {
                try {
                    Files.move(dir.resolve(m[0]), dir.resolve(m[1]), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                } catch (NoSuchFileException alreadyMoved) {
                    // made by an earlier recovery or by the writer itself
                }
            }
            Files.deleteIfExists(journal);
        } catch (IOException e) {
            throw new LoupeException(journal + ": an interrupted write cannot be completed (" + e.getMessage() + ")");
        }
    }

    private static List<String[]> readJournal(Path journal) {
        Object doc;
        try {
            doc = StrictJsonText.parse(Files.readString(journal, StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            throw new LoupeException(journal + ": not a Loupe commit journal (" + e.getMessage() + ")");
        }
        List<String[]> moves = new ArrayList<>();
        if (doc instanceof Map<?, ?> map && map.get("moves") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String from
                        && pair.get(1) instanceof String to) {
                    requirePlainName(journal, to);
                    if (!AtomicFiles.isTemporaryOf(from, to)) {
                        throw new LoupeException(journal + ": '" + from + "' is not a temporary of '" + to + "'");
                    }
                    moves.add(new String[] {from, to});
                } else {
                    throw new LoupeException(journal + ": a move is not a [temporary, target] pair of names");
                }
            }
            return moves;
        }
        throw new LoupeException(journal + ": field 'moves' missing (expected a list of [temporary, target] names)");
    }

    private static String requirePlainName(Path journal, String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new LoupeException(journal + ": '" + name + "' is not a file name in " + journal.getParent());
        }
        return name;
    }
}
