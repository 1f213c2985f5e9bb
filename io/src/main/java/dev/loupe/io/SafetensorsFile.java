package dev.loupe.io;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, memory-mapped tensor by tensor (no 2 GiB limit on the file). The header is validated on
 * open by {@link SafetensorsHeader}, the format's reference rules: every problem is a {@link LoupeException}
 * naming the file and what was expected. Regular files only (a FIFO or device is refused, never read). Floating-point
 * tensors of any width are read as float32.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The safetensors format's own limit on the JSON header. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** One tensor's header entry: offsets are relative to the data section. */
    public record Entry(String name, DType dtype, int[] shape, long begin, long end) {
        public long numel() {
            return Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries,
                            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}. */
    public static SafetensorsFile open(Path path) {
        FileChannel ch;
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new LoupeException(path + ": not a regular file (expected a .safetensors file)");
        }
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new LoupeException(path + ": file not found (expected a .safetensors file)");
        } catch (IOException e) {
            throw new LoupeException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return read(path, ch);
        } catch (RuntimeException | IOException e) {
            closeQuietly(ch);
            if (e instanceof LoupeException le) {
                throw le;
            }
            throw new LoupeException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static SafetensorsFile read(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw fail(path, "file is " + size + " bytes, too short for a safetensors header (8-byte length + JSON)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw fail(path, "header length " + Long.toUnsignedString(headerLen) + " exceeds the safetensors limit of "
                    + MAX_HEADER_BYTES + " bytes (not a safetensors file?)");
        }
        if (headerLen > size - 8) {
            throw fail(path, "header length " + headerLen + " is larger than the file (" + size
                    + " bytes): truncated or not a safetensors file");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        while (hb.hasRemaining() && ch.read(hb, 8 + hb.position()) > 0) {
            // read fully
        }
        SafetensorsHeader header = SafetensorsHeader.parse(path, hb.array(), size - 8 - headerLen);
        return new SafetensorsFile(path, ch, 8 + headerLen, header.entries(), header.metadata());
    }

    private static LoupeException fail(Path path, String what) {
        return new LoupeException(path + ": " + what);
    }

    public Path path() {
        return path;
    }

    public Set<String> names() {
        return entries.keySet();
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** The header entry of {@code name}; a one-line error if absent. */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw fail(path, "no tensor named " + StrictJsonText.quote(name));
        }
        return e;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The named tensor as float32 (converted from F64, F16, BF16 or integer types). */
    public Tensor tensor(String name) {
        Entry e = entry(name);
        ByteBuffer b = map(e);
        int n = Math.toIntExact(e.numel());
        float[] out = new float[n];
        switch (e.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int k = 0; k < n; k++) {
                    out[k] = (float) b.getDouble();
                }
            }
            case F16 -> {
                for (int k = 0; k < n; k++) {
                    out[k] = Float.float16ToFloat(b.getShort());
                }
            }
            case BF16 -> {
                for (int k = 0; k < n; k++) {
                    out[k] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                }
            }
            default -> {
                long[] l = longs(name);
                for (int k = 0; k < n; k++) {
                    out[k] = l[k];
                }
            }
        }
        return Tensor.adopt(out, e.shape());
    }

    /** The named integer (or bool) tensor as longs, flattened row-major. */
    public long[] longs(String name) {
        Entry e = entry(name);
        if (e.dtype().isFloat()) {
            throw fail(path, "tensor " + StrictJsonText.quote(name) + " is " + e.dtype() + ", expected an integer type");
        }
        ByteBuffer b = map(e);
        long[] out = new long[Math.toIntExact(e.numel())];
        for (int k = 0; k < out.length; k++) {
            out[k] = switch (e.dtype()) {
                case I64 -> b.getLong();
                case I32 -> b.getInt();
                case I16 -> b.getShort();
                case I8 -> b.get();
                default -> b.get() & 0xff;
            };
        }
        return out;
    }

    private ByteBuffer map(Entry e) {
        long len = e.end() - e.begin();
        if (len > Integer.MAX_VALUE) {
            throw fail(path, "tensor " + StrictJsonText.quote(e.name()) + " is " + len + " bytes; a single tensor must be under 2 GiB");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new LoupeException(path + ": cannot map tensor '" + e.name() + "': " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to save
        }
    }
}
