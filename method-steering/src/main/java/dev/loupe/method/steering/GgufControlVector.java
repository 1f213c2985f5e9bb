package dev.loupe.method.steering;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.io.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a steering vector as a GGUF v3 control vector, the layout repeng exports and llama.cpp's
 * {@code --control-vector} reads: {@code general.architecture = "controlvector"}, {@code controlvector.model_hint},
 * {@code controlvector.layer_count}, and one F32 tensor {@code direction.{n}} per layer. llama.cpp adds
 * {@code direction.n} to the output of block n (counting blocks from 0; n ≥ 1, there is no {@code direction.0}),
 * which is Loupe's {@code blocks.n.hook_resid_post} = {@code blocks.(n+1).hook_resid_pre}: a vector at resid_pre of
 * layer L is written as {@code direction.(L−1)}, and L ≤ 1 cannot be exported. repeng and steering-vectors count
 * layers the same way.
 */
public final class GgufControlVector {
    static final int ALIGNMENT = 32;
    private static final int TYPE_UINT32 = 4;
    private static final int TYPE_STRING = 8;
    private static final int GGML_F32 = 0;

    private GgufControlVector() {}

    /** The llama.cpp layer index of a vector at {@code blocks.layer.hook_resid_pre}: {@code layer − 1}. */
    public static int directionIndex(int residPreLayer) {
        if (residPreLayer < 2) {
            throw new LoupeException("blocks." + residPreLayer + ".hook_resid_pre cannot be a GGUF control vector: "
                    + "llama.cpp adds direction.n after block n for n ≥ 1 only, i.e. at blocks.2.hook_resid_pre or later");
        }
        return residPreLayer - 1;
    }

    /** Writes {@code vector}, applied at {@code blocks.residPreLayer.hook_resid_pre}, as {@code direction.(L−1)}. */
    public static void write(Path file, Tensor vector, int residPreLayer, String modelHint) {
        String name = "direction." + directionIndex(residPreLayer);
        ByteBuffer head = ByteBuffer.allocate(4096 + name.length() + modelHint.length()).order(ByteOrder.LITTLE_ENDIAN);
        head.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(1).putLong(3);
        string(head, "general.architecture");
        head.putInt(TYPE_STRING);
        string(head, "controlvector");
        string(head, "controlvector.model_hint");
        head.putInt(TYPE_STRING);
        string(head, modelHint);
        string(head, "controlvector.layer_count");
        head.putInt(TYPE_UINT32).putInt(1);
        string(head, name);
        head.putInt(1).putLong(vector.numel()).putInt(GGML_F32).putLong(0);
        while (head.position() % ALIGNMENT != 0) {
            head.put((byte) 0);
        }
        ByteBuffer data = ByteBuffer.allocate(4 * vector.numel()).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(vector.buffer());
        AtomicFiles.write(file, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                out.write(head.array(), 0, head.position());
                out.write(data.array());
            }
        });
    }

    private static void string(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putLong(bytes.length).put(bytes);
    }

    /** A control vector's tensor: {@code direction.index} (llama.cpp adds it after block {@code index}). */
    public record Direction(int index, Tensor vector) {}

    /** Reads back the one direction of a file written by {@link #write} (for checks and round trips). */
    public static Direction read(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[4];
            b.get(magic);
            if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF") || b.getInt() != 3) {
                throw new LoupeException(file + ": not a GGUF v3 file");
            }
            long tensors = b.getLong();
            long kvs = b.getLong();
            for (long i = 0; i < kvs; i++) {
                readString(b);
                int type = b.getInt();
                if (type == TYPE_STRING) {
                    readString(b);
                } else if (type == TYPE_UINT32) {
                    b.getInt();
                } else {
                    throw new LoupeException(file + ": unexpected metadata type " + type);
                }
            }
            if (tensors != 1) {
                throw new LoupeException(file + ": expected one direction tensor, found " + tensors);
            }
            String name = readString(b);
            if (!name.matches("direction\\.[1-9][0-9]{0,5}")) {
                throw new LoupeException(file + ": tensor '" + name + "' is not direction.N (N ≥ 1)");
            }
            int dims = b.getInt();
            long n = b.getLong();
            for (int i = 1; i < dims; i++) {
                n *= b.getLong();
            }
            if (b.getInt() != GGML_F32) {
                throw new LoupeException(file + ": direction tensor is not F32");
            }
            long offset = b.getLong();
            int start = (b.position() + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT + (int) offset;
            float[] out = new float[(int) n];
            b.position(start);
            b.asFloatBuffer().get(out);
            return new Direction(Integer.parseInt(name.substring("direction.".length())), Tensor.vector(out));
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static String readString(ByteBuffer b) {
        byte[] s = new byte[(int) b.getLong()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
