package dev.loupe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet corpora as HF datasets store them (files written by pyarrow: testdata/parquet/make_parquet.py). */
class ParquetCorpusTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path f = dir.resolve("testdata/parquet").resolve(name);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new IllegalStateException("testdata/parquet/" + name + " not found");
    }

    private static List<String> all(Corpus c) {
        List<String> docs = new ArrayList<>();
        c.forEach(docs::add);
        return docs;
    }

    @Test
    void snappyFileWithOtherColumnsGivesItsTextRowByRow() throws IOException {
        List<String> docs = all(Corpus.open(fixture("corpus-snappy.parquet"), null));
        List<String> expected = Files.readAllLines(fixture("expected-snappy-first-last.txt"));
        assertEquals(300, docs.size(), "three row groups of up to 128 rows");
        assertEquals(expected.get(0), docs.get(0));
        assertEquals(expected.get(1), docs.get(299));
    }

    @Test
    void namedColumnsZstdDictionariesGzipAndFolders() throws IOException {
        List<String> content = all(Corpus.open(fixture("content-zstd.parquet"), "content"));
        assertEquals(50, content.size());
        assertTrue(content.stream().allMatch(d -> d.split(" ").length >= 5), content.get(0));
        assertEquals(20, all(Corpus.open(fixture("plain-gzip.parquet"), null)).size());
        Path folder = Files.createDirectories(tmp.resolve("shards"));
        Files.copy(fixture("plain-gzip.parquet"), folder.resolve("train-00001.parquet"));
        Files.copy(fixture("corpus-snappy.parquet"), folder.resolve("train-00000.parquet"));
        List<String> both = all(Corpus.open(folder, null));
        assertEquals(320, both.size(), "a dataset's shards in name order");
        assertEquals(all(Corpus.open(fixture("corpus-snappy.parquet"), null)), both.subList(0, 300));
    }

    @Test
    void badColumnsAndValuesAreOneLineErrors() throws IOException {
        Path f = fixture("corpus-snappy.parquet");
        assertEquals(f + ": no column 'content' (columns: id, text, score; --field names the text)",
                assertThrows(LoupeException.class, () -> Corpus.open(f, "content")).getMessage());
        assertEquals(f + ": column 'id' is INT64, not a string (expected the documents' text)",
                assertThrows(LoupeException.class, () -> Corpus.open(f, "id")).getMessage());
        Path ints = fixture("int-text.parquet");
        assertEquals(ints + ": column 'text' is INT64, not a string (expected the documents' text)",
                assertThrows(LoupeException.class, () -> Corpus.open(ints, null)).getMessage());
        Path nulls = fixture("null-text.parquet");
        LoupeException e = assertThrows(LoupeException.class, () -> all(Corpus.open(nulls, null)));
        assertEquals(nulls + ": row 2: column 'text' is null (expected the document's text)", e.getMessage());
        Path junk = Files.write(tmp.resolve("junk.parquet"), "PAR1 not really".getBytes());
        assertTrue(assertThrows(LoupeException.class, () -> Corpus.open(junk, null)).getMessage()
                .startsWith(junk + ": not a readable Parquet file ("));
        Path truncated = tmp.resolve("cut.parquet");
        byte[] whole = Files.readAllBytes(f);
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertTrue(assertThrows(LoupeException.class, () -> all(Corpus.open(truncated, null))).getMessage()
                .startsWith(truncated + ": "));
    }
}
