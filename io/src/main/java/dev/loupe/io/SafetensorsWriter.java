package dev.loupe.io;

import dev.loupe.api.Tensor;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes float32 tensors (and optional int64 tensors) as a safetensors file: names sorted, header padded with
 * spaces to a multiple of 8, written through {@link AtomicFiles}.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        write(file, tensors, Map.of(), metadata);
    }

    /** Writes float tensors as F32 and {@code longs} (name → (shape, values)) as I64. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, LongTensor> longs,
                             Map<String, String> metadata) {
        AtomicFiles.write(file, content(tensors, longs, metadata));
    }

    /** What {@link #write} puts in the file, for a caller that commits it with other files ({@link FileSetCommit}). */
    public static AtomicFiles.Content content(Map<String, Tensor> tensors, Map<String, LongTensor> longs,
                                              Map<String, String> metadata) {
        TreeMap<String, Object> all = new TreeMap<>(tensors);
        for (Map.Entry<String, LongTensor> e : longs.entrySet()) {
            if (all.put(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException("tensor name '" + e.getKey() + "' used twice");
            }
        }
        StringBuilder h = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            h.append("\"__metadata__\":{");
            String sep = "";
            for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                h.append(sep).append(StrictJsonText.quote(m.getKey())).append(':').append(StrictJsonText.quote(m.getValue()));
                sep = ",";
            }
            h.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Object> e : all.entrySet()) {
            boolean isLong = e.getValue() instanceof LongTensor;
            int[] shape = isLong ? ((LongTensor) e.getValue()).shape() : ((Tensor) e.getValue()).shape();
            long bytes = isLong ? 8L * ((LongTensor) e.getValue()).values().length : 4L * ((Tensor) e.getValue()).numel();
            h.append(h.length() > 1 ? "," : "").append(StrictJsonText.quote(e.getKey()))
                    .append(":{\"dtype\":\"").append(isLong ? "I64" : "F32").append("\",\"shape\":")
                    .append(Arrays.toString(shape).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        h.append('}');
        while ((h.toString().getBytes(StandardCharsets.UTF_8).length) % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        return tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                out.write(len.array());
                out.write(header);
                for (Object v : all.values()) {
                    out.write(v instanceof LongTensor lt ? bytes(lt.values()) : bytes((Tensor) v));
                }
            }
        };
    }

    private static byte[] bytes(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(4 * t.numel()).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t.buffer());
        return b.array();
    }

    private static byte[] bytes(long[] values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return b.array();
    }

    /** An int64 tensor to write. */
    public record LongTensor(int[] shape, long[] values) {}
}
