package dev.loupe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corpora in the user's formats, and the windows cut from them. */
class CorpusTest {
    @TempDir
    Path tmp;

    private static List<String> all(Corpus c) {
        List<String> docs = new ArrayList<>();
        c.forEach(docs::add);
        return docs;
    }

    @Test
    void eachFormatGivesItsDocumentsInOrder() throws IOException {
        Path text = Files.writeString(tmp.resolve("a.txt"), "first line\n\n  \nsecond line\n");
        assertEquals(List.of("first line", "second line"), all(Corpus.open(text, null)));
        Path jsonl = Files.writeString(tmp.resolve("b.jsonl"), "{\"text\": \"one\", \"id\": 1}\n\n{\"text\": \"two\"}\n");
        assertEquals(List.of("one", "two"), all(Corpus.open(jsonl, null)));
        Path named = Files.writeString(tmp.resolve("c.jsonl"), "{\"content\": \"three\"}\n");
        assertEquals(List.of("three"), all(Corpus.open(named, "content")));
        Path folder = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(folder.resolve("2.txt"), "doc two\nstill two");
        Files.writeString(folder.resolve("1.txt"), "doc one");
        Files.writeString(folder.resolve(".hidden"), "skipped");
        Files.createDirectories(folder.resolve("sub"));
        Files.writeString(folder.resolve("sub").resolve("3.jsonl"), "{\"text\": \"doc three\"}\n");
        assertEquals(List.of("doc one", "doc two\nstill two", "doc three"), all(Corpus.open(folder, null)),
                "files in name order; a plain file in a folder is one document");
        assertEquals(all(Corpus.open(folder, null)), all(Corpus.open(folder, null)), "read again, the same");
    }

    /**
     * Opening a corpus and stopping after one document, then closing, leaves no file open (counted in
     * /proc/self/fd, where the OS has it): 40 rounds over a JSONL file, a plain-text folder and a Parquet file.
     */
    @Test
    void stoppingEarlyAndClosingLeavesNoFileOpen() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "no /proc/self/fd here");
        Path jsonl = tmp.resolve("c.jsonl");
        Files.writeString(jsonl, "{\"text\": \"one\"}\n{\"text\": \"two\"}\n");
        Path folder = Files.createDirectories(tmp.resolve("lines"));
        Files.writeString(folder.resolve("a.txt"), "first\nsecond\n");
        Files.writeString(folder.resolve("b.jsonl"), "{\"text\": \"three\"}\n");
        Path parquet = ParquetCorpusTest.fixture("corpus-snappy.parquet");
        long before = count(fds);
        for (int i = 0; i < 40; i++) {
            for (Path p : List.of(jsonl, folder, parquet)) {
                try (Documents d = Corpus.open(p, null).iterator()) {
                    d.next();
                }
            }
        }
        assertTrue(count(fds) - before < 5, "files left open: " + (count(fds) - before));
    }

    private static long count(Path fds) throws IOException {
        try (var s = Files.list(fds)) {
            return s.count();
        }
    }

    @Test
    void badCorporaAreOneLineNamingFileAndLine() throws IOException {
        Path missing = tmp.resolve("nope.jsonl");
        assertEquals(missing + ": no such corpus (expected a text or .jsonl file, or a folder of them)",
                assertThrows(LoupeException.class, () -> Corpus.open(missing, null)).getMessage());
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "\n\n");
        assertEquals(empty + ": the corpus has no documents",
                assertThrows(LoupeException.class, () -> Corpus.open(empty, null)).getMessage());
        Path bad = Files.writeString(tmp.resolve("bad.jsonl"), "{\"text\": \"ok\"}\n{not json\n");
        Corpus c = Corpus.open(bad, null);
        LoupeException e = assertThrows(LoupeException.class, () -> all(c));
        assertEquals(true, e.getMessage().startsWith(bad + ":2: not a JSON object"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        Path noField = Files.writeString(tmp.resolve("nofield.jsonl"), "{\"body\": \"x\"}\n");
        assertEquals(noField + ":1: field 'text' missing (expected the document's text)",
                assertThrows(LoupeException.class, () -> Corpus.open(noField, null)).getMessage());
        Path number = Files.writeString(tmp.resolve("number.jsonl"), "{\"text\": 3}\n");
        assertEquals(number + ":1: field 'text' is number (expected the document's text)",
                assertThrows(LoupeException.class, () -> Corpus.open(number, null)).getMessage());
        Path latin1 = Files.write(tmp.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        assertEquals(latin1 + ": not UTF-8 text",
                assertThrows(LoupeException.class, () -> Corpus.open(latin1, null)).getMessage());
    }

    @Test
    void windowsPackDocumentsAfterBosAndDropTheShortTail() throws IOException {
        Path text = Files.writeString(tmp.resolve("a.txt"), "1 2 3\n4 5\n6 7 8 9\n");
        TokenWindows w = new TokenWindows(DIGITS, Corpus.open(text, null), 4);
        List<int[]> windows = new ArrayList<>();
        w.forEachRemaining(windows::add);
        assertEquals(3, windows.size(), "12 tokens (3 BOS + 9 digits) make 3 windows of 4");
        assertArrayEquals(new int[] {0, 1, 2, 3}, windows.get(0));
        assertArrayEquals(new int[] {0, 4, 5, 0}, windows.get(1));
        assertArrayEquals(new int[] {6, 7, 8, 9}, windows.get(2));
        assertFalse(w.hasNext());
        assertThrows(LoupeException.class, () -> new TokenWindows(DIGITS, Corpus.open(text, null), 1));
    }

    private static List<int[]> windows(Path text, TokenizerPolicy policy) {
        List<int[]> out = new ArrayList<>();
        new TokenWindows(DIGITS, Corpus.open(text, null), policy.resolve(64)).forEachRemaining(out::add);
        return out;
    }

    @Test
    void bosPoliciesAndStrides() throws IOException {
        Path text = Files.writeString(tmp.resolve("a.txt"), "1 2 3\n4 5\n6 7 8 9\n");
        List<int[]> perWindow = windows(text, new TokenizerPolicy(4, 0, TokenizerPolicy.Bos.WINDOW));
        assertEquals(3, perWindow.size(), "SAELens: BOS + 3 tokens of 1 2 3 0 4 5 0 6 7 8 9");
        assertArrayEquals(new int[] {0, 1, 2, 3}, perWindow.get(0));
        assertArrayEquals(new int[] {0, 0, 4, 5}, perWindow.get(1));
        assertArrayEquals(new int[] {0, 0, 6, 7}, perWindow.get(2));
        List<int[]> none = windows(text, new TokenizerPolicy(3, 0, TokenizerPolicy.Bos.NONE));
        assertEquals(3, none.size());
        assertArrayEquals(new int[] {7, 8, 9}, none.get(2));
        List<int[]> overlapping = windows(text, new TokenizerPolicy(4, 2, TokenizerPolicy.Bos.NONE));
        assertEquals(3, overlapping.size(), "9 tokens, windows of 4 every 2: starts 0, 2, 4 (the tail 7 8 9 dropped)");
        assertArrayEquals(new int[] {3, 4, 5, 6}, overlapping.get(1));
        assertArrayEquals(new int[] {0, 1, 2, 3}, new TokenizerPolicy(0, 0, TokenizerPolicy.Bos.DOCUMENT)
                .prompt(DIGITS, "1 2 3"));
        assertArrayEquals(new int[] {1, 2, 3}, new TokenizerPolicy(0, 0, TokenizerPolicy.Bos.NONE)
                .prompt(DIGITS, "1 2 3"));
        assertEquals(64, TokenizerPolicy.defaults().resolve(64).context(), "0: the model's n_ctx");
        assertEquals("stride 5 is longer than the 3 text tokens of a window (it would skip text)",
                assertThrows(LoupeException.class, () -> new TokenizerPolicy(4, 5, TokenizerPolicy.Bos.WINDOW)
                        .resolve(64)).getMessage());
        assertEquals("context 65: expected 2..64 tokens (the model's n_ctx)", assertThrows(LoupeException.class,
                () -> new TokenizerPolicy(65, 0, TokenizerPolicy.Bos.NONE).resolve(64)).getMessage());
    }

    /** Digits as ids, BOS 0. */
    private static final Tokenizer DIGITS = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            return Arrays.stream(text.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
        }

        @Override
        public String decode(int[] ids) {
            return Arrays.toString(ids);
        }

        @Override
        public String token(int id) {
            return String.valueOf(id);
        }

        @Override
        public int vocabSize() {
            return 10;
        }

        @Override
        public OptionalInt eosId() {
            return OptionalInt.empty();
        }

        @Override
        public OptionalInt bosId() {
            return OptionalInt.of(0);
        }
    };
}
