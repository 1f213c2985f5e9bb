package dev.loupe.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripIsBitExactWithMetadataAndLongs() {
        Tensor a = Tensor.of(new float[] {1.5f, -0f, Float.MIN_VALUE, 3e38f, -7f, 0.1f}, 2, 3);
        Tensor b = Tensor.scalar(42f);
        Path f = tmp.resolve("t.safetensors");
        SafetensorsWriter.write(f, Map.of("b", b, "a", a),
                Map.of("ids", new SafetensorsWriter.LongTensor(new int[] {3}, new long[] {1, 50256, 7})),
                Map.of("format", "pt"));
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertEquals(a, r.tensor("a"));
            assertEquals(b, r.tensor("b"));
            assertArrayEquals(new long[] {1, 50256, 7}, r.longs("ids"));
            assertEquals("pt", r.metadata().get("format"));
            assertEquals(DType.I64, r.entry("ids").dtype());
        }
    }

    private Path raw(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = tmp.resolve("raw.safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void halfPrecisionIsWidenedToFloat32() throws IOException {
        // 1.0, -2.0 in F16 (0x3C00, 0xC000) and in BF16 (0x3F80, 0xC000), little-endian.
        byte[] data = {0x00, 0x3C, 0x00, (byte) 0xC0, (byte) 0x80, 0x3F, 0x00, (byte) 0xC0};
        Path f = raw("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}", data);
        try (SafetensorsFile r = SafetensorsFile.open(f)) {
            assertEquals(Tensor.vector(1f, -2f), r.tensor("h"));
            assertEquals(Tensor.vector(1f, -2f), r.tensor("b"));
        }
    }

    @Test
    void inconsistentEntriesAreOneLineErrors() throws IOException {
        Path badDtype = raw("{\"x\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        LoupeException e = assertThrows(LoupeException.class, () -> SafetensorsFile.open(badDtype));
        assertTrue(e.getMessage().contains("dtype \"Q4\", which Loupe does not read"), e.getMessage());
        Path badSize = raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,4]}}", new byte[4]);
        e = assertThrows(LoupeException.class, () -> SafetensorsFile.open(badSize));
        assertTrue(e.getMessage().contains("shape [3] of F32 needs 12"), e.getMessage());
        Path badJson = raw("{\"x\":", new byte[0]);
        e = assertThrows(LoupeException.class, () -> SafetensorsFile.open(badJson));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }
}
