package dev.loupe.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JSON file too large for its kind, or not a regular file, is one line before any parser reads it. */
class JsonLimitsTest {
    @TempDir
    Path tmp;

    @Test
    void aConfigOverItsLimitIsRefusedWithoutBeingRead() throws IOException {
        Path config = tmp.resolve("config.json");
        try (RandomAccessFile f = new RandomAccessFile(config.toFile(), "rw")) {
            f.setLength(JsonLimits.CONFIG + 1); // sparse: nothing is written
        }
        LoupeException e = assertThrows(LoupeException.class, () -> JsonLimits.check(config, JsonLimits.CONFIG));
        assertEquals(config + ": 67108865 bytes, more than the 67108864 a JSON file of this kind may have",
                e.getMessage());
        Files.writeString(config, "{}");
        assertEquals(config, JsonLimits.check(config, JsonLimits.CONFIG));
    }

    @Test
    void aFolderOrAMissingFileIsNamed() {
        assertEquals(tmp + ": not a regular file",
                assertThrows(LoupeException.class, () -> JsonLimits.check(tmp, JsonLimits.CONFIG)).getMessage());
        Path missing = tmp.resolve("cfg.json");
        assertEquals(missing + ": missing",
                assertThrows(LoupeException.class, () -> JsonLimits.check(missing, JsonLimits.CONFIG)).getMessage());
    }
}
