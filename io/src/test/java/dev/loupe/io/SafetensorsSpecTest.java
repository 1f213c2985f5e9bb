package dev.loupe.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The bad safetensors files the reader once accepted (issue 15), each now a one-line error naming the rule. */
class SafetensorsSpecTest {
    private static final String TWO = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";

    @TempDir
    Path tmp;

    static Stream<Arguments> badFiles() {
        byte[] data = new byte[16];
        byte[] header = TWO.getBytes(StandardCharsets.UTF_8);
        byte[] shortLength = SafetensorsMutations.assemble(header, data);
        shortLength[0]--; // the header length one byte short: the JSON loses its closing brace
        return Stream.of(
                Arguments.of("header length one byte short", shortLength, "not valid JSON"),
                Arguments.of("overlapping offsets", file(TWO.replace("[8,16]", "[4,12]"), new byte[12]), "overlaps"),
                Arguments.of("aliased offsets", file(TWO.replace("[8,16]", "[0,8]"), new byte[8]), "overlaps"),
                Arguments.of("a gap", file(TWO.replace("[8,16]", "[12,20]"), new byte[20]), "a gap before it"),
                Arguments.of("junk after the data", file(TWO, new byte[17]), "1 bytes after the last tensor"),
                Arguments.of("raw NUL in a name", file(TWO.replace("\"a\"", "\"a\u0000\""), data), "raw control character"),
                Arguments.of("bad escape", file(TWO.replace("\"a\"", "\"a\\q\""), data), "invalid escape"),
                Arguments.of("lone surrogate", file(TWO.replace("\"a\"", "\"\\ud800\""), data), "lone surrogate"),
                Arguments.of("non-UTF-8", SafetensorsMutations.assemble(concat(TWO.substring(0, TWO.length() - 1),
                        new byte[] {(byte) 0xff}, "}"), data), "not valid UTF-8"),
                Arguments.of("metadata not strings", file("{\"__metadata__\":{\"n\":1}," + TWO.substring(1), data),
                        "must be a string"),
                Arguments.of("10,000 nested [", file("{\"a\":" + "[".repeat(10_000) + "}", new byte[0]),
                        "nesting deeper than 128"),
                Arguments.of("duplicate names", file(TWO.replace("\"b\"", "\"a\""), data), "duplicate key"),
                Arguments.of("shape bytes overflow", file("{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,"
                        + "2147483647],\"data_offsets\":[0,8]}}", new byte[8]), "overflows 64 bits"),
                Arguments.of("not starting with {", file(" " + TWO, data), "must start with '{'"),
                Arguments.of("header past the file", withLength(SafetensorsMutations.assemble(header, data), 1000),
                        "larger than the file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void isAOneLineErrorNamingTheFileOnce(String what, byte[] bytes, String expected) throws IOException {
        Path f = tmp.resolve("bad.safetensors");
        Files.write(f, bytes);
        LoupeException e = assertThrows(LoupeException.class, () -> SafetensorsFile.open(f).close(), what);
        String m = e.getMessage();
        assertTrue(m.contains(expected), what + ": " + m);
        assertEquals(1, m.lines().count(), m);
        assertEquals(m.indexOf(f.toString()), m.lastIndexOf(f.toString()), m);
        assertTrue(ReferenceSafetensors.violation(bytes) != null, what + " is invalid by the reference rules too");
    }

    @Test
    void trailingSpacesAndEmptyTensorsAreValid() throws IOException {
        Path f = tmp.resolve("ok.safetensors");
        Files.write(f, file("{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}," + TWO.substring(1)
                + "   ", new byte[16]));
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(3, s.names().size());
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFifoIsRefusedWithoutBeingRead() throws Exception {
        Path fifo = tmp.resolve("model.safetensors");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo is available");
        LoupeException e = assertThrows(LoupeException.class, () -> SafetensorsFile.open(fifo).close());
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    private static byte[] file(String header, byte[] data) {
        return SafetensorsMutations.assemble(header.getBytes(StandardCharsets.UTF_8), data);
    }

    private static byte[] concat(String a, byte[] b, String c) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8), z = c.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[x.length + b.length + z.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(b, 0, out, x.length, b.length);
        System.arraycopy(z, 0, out, x.length + b.length, z.length);
        return out;
    }

    private static byte[] withLength(byte[] f, long n) {
        java.nio.ByteBuffer.wrap(f, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(n);
        return f;
    }
}
