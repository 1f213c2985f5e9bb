package dev.loupe.vectors;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a GGUF control vector as llama.cpp's {@code llama_control_vector_load} and repeng's export understand it:
 * GGUF v2 or v3, {@code general.architecture} "controlvector", an optional {@code controlvector.model_hint},
 * {@code general.alignment} (default 32), and 1-D F32 tensors named {@code direction.N} (N ≥ 1, llama.cpp adds
 * direction.N after block N). Every metadata value type of the GGUF spec is read past; a truncated file, a bad
 * offset, another tensor name, type or rank, or a repeated direction is a one-line error naming the file.
 */
final class GgufControlVectorReader {
    private static final long MAX_DIRECTION = 1 << 24;
    private final Path file;
    private final ByteBuffer b;

    private GgufControlVectorReader(Path file, ByteBuffer b) {
        this.file = file;
        this.b = b;
    }

    static GgufControlVector.ControlVector read(Path file) {
        ByteBuffer b;
        try {
            if (!Files.isRegularFile(file)) {
                throw new LoupeException(file + ": no such GGUF file");
            }
            b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot read (" + e.getMessage() + ")");
        }
        try {
            return new GgufControlVectorReader(file, b).parse();
        } catch (LoupeException e) {
            throw e;
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new LoupeException(file + ": truncated or malformed GGUF (" + e.getClass().getSimpleName() + ")");
        }
    }

    private GgufControlVector.ControlVector parse() {
        byte[] magic = new byte[4];
        b.get(magic);
        if (!new String(magic, StandardCharsets.ISO_8859_1).equals("GGUF")) {
            throw error("not a GGUF file (no GGUF magic)");
        }
        int version = b.getInt();
        if (version != 2 && version != 3) {
            throw error("GGUF version " + version + " (expected 2 or 3)");
        }
        long tensors = count(b.getLong(), "tensors");
        long kvs = count(b.getLong(), "metadata entries");
        String architecture = null;
        String hint = "";
        long alignment = 32;
        for (long i = 0; i < kvs; i++) {
            String key = string();
            int type = b.getInt();
            switch (key) {
                case "general.architecture" -> architecture = expectString(key, type);
                case "controlvector.model_hint" -> hint = expectString(key, type);
                case "general.alignment" -> {
                    if (type != 4) {
                        throw error("general.alignment has type " + type + " (expected uint32)");
                    }
                    alignment = Integer.toUnsignedLong(b.getInt());
                    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
                        throw error("general.alignment " + alignment + " is not a power of two");
                    }
                }
                default -> skip(type, 0);
            }
        }
        if (!"controlvector".equals(architecture)) {
            throw error("general.architecture is " + (architecture == null ? "missing" : "'" + architecture + "'")
                    + " (expected controlvector)");
        }
        record Info(int index, int length, long offset) {}
        List<Info> infos = new ArrayList<>();
        for (long t = 0; t < tensors; t++) {
            String name = string();
            if (!name.matches("direction\\.[1-9][0-9]{0,5}")) {
                throw error("tensor '" + name + "' is not direction.N with N >= 1");
            }
            int dims = b.getInt();
            if (dims != 1) {
                throw error(name + " has " + dims + " dimensions (expected 1)");
            }
            long n = b.getLong();
            if (n < 1 || n > MAX_DIRECTION) {
                throw error(name + " has " + n + " values");
            }
            int type = b.getInt();
            if (type != 0) {
                throw error(name + " has ggml type " + type + " (expected 0, F32)");
            }
            int index = Integer.parseInt(name.substring("direction.".length()));
            if (infos.stream().anyMatch(i -> i.index() == index)) {
                throw error(name + " appears twice");
            }
            infos.add(new Info(index, (int) n, b.getLong()));
        }
        long data = (b.position() + alignment - 1) / alignment * alignment;
        List<GgufControlVector.Direction> out = new ArrayList<>();
        for (Info i : infos) {
            long start = data + i.offset();
            if (i.offset() < 0 || i.offset() % alignment != 0 || start + 4L * i.length() > b.limit()) {
                throw error("direction." + i.index() + "'s data at offset " + i.offset() + " is outside the file or "
                        + "not aligned to " + alignment);
            }
            float[] v = new float[i.length()];
            b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) start).slice().order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(v);
            for (float x : v) {
                if (!Float.isFinite(x)) {
                    throw error("direction." + i.index() + " holds a value that is not finite");
                }
            }
            out.add(new GgufControlVector.Direction(i.index(), Tensor.vector(v)));
        }
        out.sort(Comparator.comparingInt(GgufControlVector.Direction::index));
        return new GgufControlVector.ControlVector(hint, out);
    }

    private long count(long n, String what) {
        if (n < 0 || n > 1_000_000) {
            throw error(n + " " + what);
        }
        return n;
    }

    private String expectString(String key, int type) {
        if (type != 8) {
            throw error(key + " has type " + type + " (expected string)");
        }
        return string();
    }

    private String string() {
        long n = b.getLong();
        if (n < 0 || n > b.remaining()) {
            throw error("a string of " + n + " bytes runs past the end of the file");
        }
        byte[] s = new byte[(int) n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /** Reads past one value of GGUF type {@code type} (arrays of arrays nest at most a few levels). */
    private void skip(int type, int depth) {
        switch (type) {
            case 0, 1, 7 -> b.position(b.position() + 1);
            case 2, 3 -> b.position(b.position() + 2);
            case 4, 5, 6 -> b.position(b.position() + 4);
            case 10, 11, 12 -> b.position(b.position() + 8);
            case 8 -> string();
            case 9 -> {
                if (depth > 4) {
                    throw error("metadata arrays nested more than 4 deep");
                }
                int element = b.getInt();
                long n = b.getLong();
                if (n < 0 || n > b.remaining()) {
                    throw error("a metadata array of " + n + " values runs past the end of the file");
                }
                for (long i = 0; i < n; i++) {
                    skip(element, depth + 1);
                }
            }
            default -> throw error("metadata value type " + type + " is not a GGUF type");
        }
    }

    private LoupeException error(String what) {
        return new LoupeException(file + ": " + what);
    }
}
