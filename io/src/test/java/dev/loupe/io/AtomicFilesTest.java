package dev.loupe.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes: the umask's mode, stale temporaries of dead processes removed, nothing left on failure. */
class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void theFileGetsTheModeOfAnyNewFile() throws IOException {
        Path plain = Files.createFile(tmp.resolve("plain"));
        Path atomic = tmp.resolve("atomic");
        AtomicFiles.write(atomic, t -> Files.writeString(t, "x"));
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        assertEquals(expected, Files.getPosixFilePermissions(atomic));
        assertTrue(expected.contains(PosixFilePermission.OTHERS_READ) || expected.contains(PosixFilePermission.GROUP_READ)
                || !expected.contains(PosixFilePermission.OWNER_EXECUTE), "umask mode, not 0600: " + expected);
    }

    @Test
    void temporariesOfDeadProcessesAreRemovedOnTheNextWrite() throws IOException {
        long dead = deadPid();
        Path stale = Files.writeString(tmp.resolve(".v.json." + dead + ".ab12.tmp"), "half");
        Path live = Files.writeString(tmp.resolve(".v.json." + ProcessHandle.current().pid() + ".cd34.tmp"), "busy");
        Path other = Files.writeString(tmp.resolve(".w.json." + dead + ".ef56.tmp"), "another target's");
        AtomicFiles.write(tmp.resolve("v.json"), t -> Files.writeString(t, "{}"));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(live), "a running process's temporary is left alone");
        assertTrue(Files.exists(other), "only the same target's temporaries are touched");
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path f = Files.writeString(tmp.resolve("v.json"), "old");
        assertThrows(java.io.UncheckedIOException.class, () -> AtomicFiles.write(f, t -> {
            Files.writeString(t, "half");
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void temporariesOfRunNamedTargetsAreFoundByTheTargetsTheyWereFor() throws IOException {
        long dead = deadPid();
        Path shard = Files.writeString(tmp.resolve(".shard-ab12-00003.safetensors." + dead + ".ef.tmp"), "half");
        Path manifest = Files.writeString(tmp.resolve(".manifest.json." + dead + ".ef.tmp"), "half");
        Path notOne = Files.writeString(tmp.resolve(".shard-x.safetensors.tmp"), "not a temporary's name");
        AtomicFiles.removeStaleTemporaries(tmp, name -> name.startsWith("shard-"));
        assertFalse(Files.exists(shard));
        assertTrue(Files.exists(manifest), "another target's");
        assertTrue(Files.exists(notOne));
    }

    static long deadPid() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) {
            pid++;
        }
        return pid;
    }
}
