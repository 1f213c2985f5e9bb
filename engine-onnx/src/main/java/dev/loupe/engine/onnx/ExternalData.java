package dev.loupe.engine.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ONNX external data as Loupe writes and reads it: float32 tensors, little-endian, one after another in one file
 * at 4096-byte-aligned offsets (so ONNX Runtime can map them), each initializer naming the file (relative to the
 * model's folder), its offset and its length.
 */
final class ExternalData {
    private static final long ALIGNMENT = 4096;

    private ExternalData() {}

    /** Writes {@code tensors} into {@code file} (which must not exist); returns each one's offset. */
    static Map<String, Long> write(Map<String, Tensor> tensors, Path file) throws IOException {
        Map<String, Long> offsets = new LinkedHashMap<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long offset = 0;
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor t = e.getValue();
                ByteBuffer bytes = ByteBuffer.allocate(t.numel() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(t.buffer());
                channel.write(bytes, offset);
                offsets.put(e.getKey(), offset);
                offset += (bytes.capacity() + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
            }
        }
        return offsets;
    }

    /** Reads the float32 data of an initializer whose data is external, relative to {@code modelDir}. */
    /** The {@code elements} float32 values of {@code t}'s external data (keys location, offset, length). */
    static float[] read(Path modelFile, TensorProto t, int elements) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (StringStringEntryProto e : t.getExternalDataList()) {
            if (!KEYS.contains(e.getKey()) || entries.put(e.getKey(), e.getValue()) != null) {
                throw new LoupeException(modelFile + ": initializer '" + t.getName() + "' has external data key '"
                        + e.getKey() + "' " + (KEYS.contains(e.getKey()) ? "twice" : "(Loupe reads " + KEYS + ")"));
            }
        }
        String location = entries.get("location");
        if (location == null || location.isEmpty() || location.contains("..") || location.contains("/")
                || location.contains("\\")) {
            throw new LoupeException(modelFile + ": initializer '" + t.getName() + "' has external data location '"
                    + location + "', expected a file name beside the model");
        }
        Path file = modelFile.toAbsolutePath().resolveSibling(location);
        long offset = bytes(modelFile, t, entries, "offset", 0);
        long length = bytes(modelFile, t, entries, "length", (long) elements * Float.BYTES);
        if (length != (long) elements * Float.BYTES) {
            throw new LoupeException(modelFile + ": initializer '" + t.getName() + "' has external data length "
                    + length + " but its dims need " + (long) elements * Float.BYTES + " bytes");
        }
        if (!Files.isRegularFile(file)) {
            throw new LoupeException(modelFile + ": initializer '" + t.getName() + "' reads " + location
                    + ", which is not a regular file beside it");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset + length > channel.size()) {
                throw new LoupeException(file + ": initializer '" + t.getName() + "' needs bytes " + offset + " to "
                        + (offset + length) + " but the file has " + channel.size());
            }
            FloatBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, offset, length)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] out = new float[elements];
            data.get(out);
            return out;
        } catch (IOException e) {
            throw new LoupeException(modelFile + ": cannot read external data of '" + t.getName() + "' from " + file
                    + ": " + e.getMessage());
        }
    }

    private static final java.util.Set<String> KEYS = java.util.Set.of("location", "offset", "length");

    private static long bytes(Path modelFile, TensorProto t, Map<String, String> entries, String key, long absent) {
        String v = entries.get(key);
        if (v == null) {
            return absent;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new LoupeException(modelFile + ": initializer '" + t.getName() + "' has external data " + key + " '" + v
                + "' (expected a byte count)");
    }
}
