package dev.loupe.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A set of files replaced together: old or new, never a mix, whatever moment the writer stops at. */
class FileSetCommitTest {
    @TempDir
    Path dir;

    private Path journal() {
        return dir.resolve(".v.commit");
    }

    private void writePair(String a, String b) {
        Map<String, AtomicFiles.Content> files = new LinkedHashMap<>();
        files.put("v.safetensors", t -> Files.writeString(t, a));
        files.put("v.json", t -> Files.writeString(t, b));
        FileSetCommit.write(journal(), files);
    }

    private List<String> names() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aCommitReplacesEveryFileAndLeavesNothingElse() throws IOException {
        writePair("old tensors", "old json");
        writePair("new tensors", "new json");
        assertEquals("new tensors", Files.readString(dir.resolve("v.safetensors")));
        assertEquals("new json", Files.readString(dir.resolve("v.json")));
        assertEquals(List.of("v.json", "v.safetensors"), names());
    }

    @Test
    void aWriteThatFailsBeforeItsJournalLeavesTheOldSet() throws IOException {
        writePair("old tensors", "old json");
        Map<String, AtomicFiles.Content> files = new LinkedHashMap<>();
        files.put("v.safetensors", t -> Files.writeString(t, "new tensors"));
        files.put("v.json", t -> {
            throw new IOException("disk full");
        });
        assertThrows(java.io.UncheckedIOException.class, () -> FileSetCommit.write(journal(), files));
        assertEquals("old tensors", Files.readString(dir.resolve("v.safetensors")));
        assertEquals(List.of("v.json", "v.safetensors"), names());
    }

    @Test
    void aJournalLeftByAKilledWriterIsRolledForwardByTheNextReader() throws IOException {
        writePair("old tensors", "old json");
        long dead = AtomicFilesTest.deadPid();
        String tensorsTmp = ".v.safetensors." + dead + ".1a.tmp";
        String jsonTmp = ".v.json." + dead + ".2b.tmp";
        Files.writeString(dir.resolve(tensorsTmp), "new tensors");
        Files.writeString(dir.resolve(jsonTmp), "new json");
        // killed after the journal and the first move
        Files.move(dir.resolve(tensorsTmp), dir.resolve("v.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(journal(), "{\"moves\":[[\"" + tensorsTmp + "\",\"v.safetensors\"],[\"" + jsonTmp
                + "\",\"v.json\"]]}");
        assertTrue(FileSetCommit.recover(journal()));
        assertEquals("new tensors", Files.readString(dir.resolve("v.safetensors")));
        assertEquals("new json", Files.readString(dir.resolve("v.json")));
        assertEquals(List.of("v.json", "v.safetensors"), names());
        assertFalse(FileSetCommit.recover(journal()), "nothing left to recover");
    }

    @Test
    void temporariesOfAWriterKilledBeforeItsJournalGoAtTheNextWrite() throws IOException {
        writePair("old tensors", "old json");
        long dead = AtomicFilesTest.deadPid();
        Files.writeString(dir.resolve(".v.safetensors." + dead + ".3c.tmp"), "half");
        assertFalse(FileSetCommit.recover(journal()), "no journal: the old set stands");
        writePair("new tensors", "new json");
        assertEquals(List.of("v.json", "v.safetensors"), names());
    }

    @Test
    void aJournalNamingOtherFilesIsRefused() throws IOException {
        Files.writeString(dir.resolve("precious"), "keep");
        Files.writeString(journal(), "{\"moves\":[[\"precious\",\"v.json\"]]}");
        LoupeException e = assertThrows(LoupeException.class, () -> FileSetCommit.recover(journal()));
        assertEquals(journal() + ": 'precious' is not a temporary of 'v.json'", e.getMessage());
        Files.writeString(journal(), "{\"moves\":[[\".x.1.a.tmp\",\"../x\"]]}");
        assertTrue(assertThrows(LoupeException.class, () -> FileSetCommit.recover(journal())).getMessage()
                .contains("'../x' is not a file name"));
        Files.writeString(journal(), "{\"moves\":");
        assertTrue(assertThrows(LoupeException.class, () -> FileSetCommit.recover(journal())).getMessage()
                .startsWith(journal() + ": not a Loupe commit journal"));
        assertEquals("keep", Files.readString(dir.resolve("precious")));
    }
}
