package dev.loupe.method.steering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufControlVectorTest {
    @TempDir
    Path tmp;

    @Test
    void writesGgufV3WithAlignedDirectionTensor() throws Exception {
        Tensor v = Tensor.vector(1.5f, -2f, 0.25f, 3f, 7f);
        Path f = tmp.resolve("v.gguf");
        GgufControlVector.write(f, v, 2, "gpt2");
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("GGUF", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(3, b.getInt(4));
        assertEquals(1, b.getLong(8));
        assertEquals(3, b.getLong(16));
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertEquals(true, text.contains("controlvector.layer_count") && text.contains("direction.2"));
        assertEquals(0, (bytes.length - 4 * 5) % GgufControlVector.ALIGNMENT, "data starts aligned to 32 bytes");
        assertArrayEquals(v.toArray(), GgufControlVector.read(f).toArray());
        assertThrows(LoupeException.class, () -> GgufControlVector.write(tmp.resolve("x.gguf"), v, 0, "gpt2"));
    }
}
