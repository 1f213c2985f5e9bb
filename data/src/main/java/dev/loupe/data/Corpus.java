package dev.loupe.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.json.LoupeJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * A text corpus as its documents, read lazily in a fixed order. The formats: a {@code .jsonl} file (one JSON object
 * a line, the document in field {@code text} or the one named; a dataset's other columns are not read), a
 * {@code .parquet} file (the string column {@code text} or the one named, row by row: {@link ParquetDocuments}),
 * any other file as plain UTF-8 text (one document a line, blank lines skipped), and a folder (its files in name order, recursively, each read by its extension; a
 * plain-text file in a folder is one document). A missing path, an empty corpus, a line that is not a JSON object
 * or lacks the field, and bytes that are not UTF-8 are one-line errors naming the file (and line).
 */
public final class Corpus implements Iterable<String> {
    private static final ObjectMapper JSON = LoupeJson.mapper();
    private final Path root;
    private final String field;

    private Corpus(Path root, String field) {
        this.root = root;
        this.field = field;
    }

    /** The corpus at {@code path}; JSONL documents are in {@code field} ({@code text} when null). */
    public static Corpus open(Path path, String field) {
        if (!Files.exists(path)) {
            throw new LoupeException(path + ": no such corpus (expected a text or .jsonl file, or a folder of them)");
        }
        if (field != null && Files.isRegularFile(path) && !structured(path)) {
            throw new LoupeException("--field " + field + " applies to .jsonl and .parquet corpora; " + path
                    + " is plain text");
        }
        Corpus c = new Corpus(path, field == null ? "text" : field);
        try (Documents first = c.iterator()) {
            if (!first.hasNext()) {
                throw new LoupeException(path + ": the corpus has no documents");
            }
        }
        return c;
    }

    /** The path it was opened from. */
    public Path path() {
        return root;
    }

    /** The documents in order; {@link Documents#close} releases the open file when stopping early. */
    @Override
    public Documents iterator() {
        List<Path> files = files();
        return new Documents() {
            private int next;
            private Iterator<String> current = java.util.Collections.emptyIterator();

            @Override
            public void close() {
                if (current instanceof Documents d) {
                    d.close();
                }
                next = files.size();
                current = java.util.Collections.emptyIterator();
            }

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && next < files.size()) {
                    current = documents(files.get(next++), Files.isDirectory(root));
                }
                return current.hasNext();
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /**
     * The files holding its documents, in the order {@link #iterator} reads them: the file itself, or a folder's
     * files (hidden ones skipped) sorted by path. A distributed reader splits the corpus along them.
     */
    public List<Path> files() {
        if (!Files.isDirectory(root)) {
            return List.of(root);
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new LoupeException(root + ": cannot list the corpus folder (" + e.getMessage() + ")");
        }
    }

    /** Whether it is a folder, where a plain-text file is one document (not one a line). */
    public boolean folder() {
        return Files.isDirectory(root);
    }

    /**
     * The documents of one of its {@link #files} (or of a local copy of one), as {@link #iterator} reads them:
     * {@code inFolder} makes a plain-text file one document.
     */
    public static Documents documents(Path file, boolean inFolder, String field) {
        Corpus c = new Corpus(file, field == null ? "text" : field);
        Iterator<String> d = c.documents(file, inFolder);
        return d instanceof Documents docs ? docs : new Documents() {
            @Override
            public boolean hasNext() {
                return d.hasNext();
            }

            @Override
            public String next() {
                return d.next();
            }

            @Override
            public void close() {}
        };
    }

    /** Files whose documents sit in a named field or column. */
    private static boolean structured(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".jsonl") || name.endsWith(".parquet");
    }

    private Iterator<String> documents(Path file, boolean inFolder) {
        if (file.getFileName().toString().endsWith(".parquet")) {
            return ParquetDocuments.open(file, field);
        }
        boolean jsonl = file.getFileName().toString().endsWith(".jsonl");
        if (!jsonl && inFolder) {
            String all = read(file, () -> Files.readString(file, StandardCharsets.UTF_8));
            return all.isBlank() ? java.util.Collections.emptyIterator() : List.of(all).iterator();
        }
        BufferedReader r = read(file, () -> Files.newBufferedReader(file, StandardCharsets.UTF_8));
        return new Documents() {
            private int line;
            private String next;
            private boolean done;

            @Override
            public boolean hasNext() {
                while (next == null && !done) {
                    String text = read(file, r::readLine);
                    if (text == null) {
                        close();
                        return false;
                    }
                    line++;
                    if (!text.isBlank()) {
                        next = jsonl ? field(file, line, text) : text;
                    }
                }
                return next != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String d = next;
                next = null;
                return d;
            }

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    read(file, () -> {
                        r.close();
                        return null;
                    });
                }
            }
        };
    }

    private interface Read<T> {
        T get() throws IOException;
    }

    private static <T> T read(Path file, Read<T> read) {
        try {
            return read.get();
        } catch (java.nio.charset.MalformedInputException | java.nio.charset.UnmappableCharacterException e) {
            throw new LoupeException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private String field(Path file, int line, String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            throw new LoupeException(file + ":" + line + ": not a JSON object (" + String.valueOf(e.getMessage())
                    .lines().findFirst().orElse("") + ")");
        }
        if (n == null || !n.isObject()) {
            throw new LoupeException(file + ":" + line + ": not a JSON object");
        }
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new LoupeException(file + ":" + line + ": field '" + field + "' " + (v == null ? "missing"
                    : "is " + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)) + " (expected the document's text)");
        }
        return v.asText();
    }
}
