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
    static float[] read(Path modelFile, TensorProto t) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (StringStringEntryProto e : t.getExternalDataList()) {
            entries.put(e.getKey(), e.getValue());
        }
        String location = entries.get("location");
        if (location == null || location.contains("..") || Path.of(location).isAbsolute()) {
            throw new LoupeException(modelFile + ": initializer '" + t.getName() + "' has external data location '"
                    + location + "', expected a file name beside the model");
        }
        Path file = modelFile.toAbsolutePath().resolveSibling(location);
        long offset = Long.parseLong(entries.getOrDefault("offset", "0"));
        long elements = 1;
        for (long d : t.getDimsList()) {
            elements *= d;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset + elements * Float.BYTES > channel.size()) {
                throw new LoupeException(file + ": initializer '" + t.getName() + "' needs bytes " + offset + " to "
                        + (offset + elements * Float.BYTES) + " but the file has " + channel.size());
            }
            FloatBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, offset, elements * Float.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] out = new float[Math.toIntExact(elements)];
            data.get(out);
            return out;
        } catch (IOException e) {
            throw new LoupeException(modelFile + ": cannot read external data of '" + t.getName() + "' from " + file
                    + ": " + e.getMessage());
        }
    }
}
