package dev.loupe.vectors;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.io.AtomicFiles;
import java.io.BufferedOutputStream;
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

    /** A control vector file: the model it names and its directions, by index. */
    public record ControlVector(String modelHint, java.util.List<Direction> directions) {
        public ControlVector {
            directions = java.util.List.copyOf(directions);
        }
    }

    /** Every direction of a repeng / llama.cpp control vector ({@link GgufControlVectorReader}). */
    public static ControlVector readAll(Path file) {
        return GgufControlVectorReader.read(file);
    }

    /** The one direction of a file such as {@link #write} writes; a file with several is refused. */
    public static Direction read(Path file) {
        ControlVector c = readAll(file);
        if (c.directions().size() != 1) {
            throw new LoupeException(file + ": expected one direction tensor, found " + c.directions().size());
        }
        return c.directions().get(0);
    }

    /** The resid_pre layer Loupe applies {@code direction.index} at: {@code index + 1}. */
    public static int residPreLayer(Direction d) {
        return d.index() + 1;
    }

    /**
     * A direction as a Loupe vector file at {@code blocks.(N+1).hook_resid_pre}, added at every position with
     * coefficient 1 (llama.cpp's application); iterations 0 and loss 0 say it was not optimised here, and the
     * config records the file and direction it came from.
     */
    public static void importAs(Path base, Direction d, String modelHint, Path source) {
        ObjectNode provenance = JsonNodeFactory.instance.objectNode().put("importedFrom", "gguf")
                .put("file", String.valueOf(source.getFileName())).put("direction", d.index());
        SteeringVectorFile.write(base, d.vector(), SteeringVectorFile.Metadata.of(modelHint,
                SteeringPlacement.added(residPreLayer(d)), provenance, d.vector(), 0, 0,
                "imported from " + source.getFileName() + " (direction." + d.index() + ")"));
    }
}
