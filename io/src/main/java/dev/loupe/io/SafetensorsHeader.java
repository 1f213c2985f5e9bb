package dev.loupe.io;

import dev.loupe.api.LoupeException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors header, validated by the rules of the format's reference implementation (the Rust
 * {@code safetensors} crate): UTF-8 JSON starting with '{' (trailing spaces allowed), at most
 * {@link SafetensorsFile#MAX_HEADER_BYTES}; {@code __metadata__} a string→string object; every tensor a known dtype,
 * a shape of non-negative integers and {@code data_offsets} whose length is shape × dtype size (overflow-checked);
 * sorted by offset, the tensors tile the data section exactly: from 0, contiguous, no overlap, no byte after the
 * last one. Every violation is a one-line {@link LoupeException} naming the file.
 */
record SafetensorsHeader(Map<String, SafetensorsFile.Entry> entries, Map<String, String> metadata) {
    static SafetensorsHeader parse(Path path, byte[] header, long dataLength) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw fail(path, "header is not valid UTF-8");
        }
        if (!text.startsWith("{")) {
            throw fail(path, "header must start with '{' (not a safetensors file?)");
        }
        Object parsed;
        try {
            parsed = StrictJsonText.parse(text);
        } catch (IllegalArgumentException e) {
            throw fail(path, "header is not valid JSON (" + e.getMessage() + ")");
        }
        Map<?, ?> json = (Map<?, ?>) parsed;
        Map<String, SafetensorsFile.Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : json.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                metadata(path, e.getValue(), metadata);
            } else {
                entries.put(name, entry(path, name, e.getValue()));
            }
        }
        tile(path, entries.values(), dataLength);
        return new SafetensorsHeader(Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    private static void metadata(Path path, Object value, Map<String, String> out) {
        if (!(value instanceof Map<?, ?> m)) {
            throw fail(path, "__metadata__ must be an object of strings");
        }
        for (Map.Entry<?, ?> kv : m.entrySet()) {
            if (!(kv.getValue() instanceof String v)) {
                throw fail(path, "__metadata__ value of " + StrictJsonText.quote(String.valueOf(kv.getKey())) + " must be a string");
            }
            out.put((String) kv.getKey(), v);
        }
    }

    private static SafetensorsFile.Entry entry(Path path, String name, Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            throw fail(path, "tensor " + StrictJsonText.quote(name) + ": expected an object with dtype, shape and data_offsets");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(String.valueOf(m.get("dtype")));
        } catch (IllegalArgumentException e) {
            throw fail(path, "tensor " + StrictJsonText.quote(name) + " has dtype " + StrictJsonText.quote(String.valueOf(m.get("dtype")))
                    + ", which Loupe does not read (it reads " + Arrays.toString(DType.values()) + ")");
        }
        if (!(m.get("shape") instanceof List<?> shapeList) || !(m.get("data_offsets") instanceof List<?> offs)
                || offs.size() != 2) {
            throw fail(path, "tensor " + StrictJsonText.quote(name) + ": expected 'shape' [dims] and 'data_offsets' [begin, end]");
        }
        int[] shape = new int[shapeList.size()];
        long bytes = dtype.bytes();
        for (int k = 0; k < shape.length; k++) {
            if (!(shapeList.get(k) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw fail(path, "tensor " + StrictJsonText.quote(name) + ": shape " + shapeList + " must hold integers in [0, 2^31)");
            }
            shape[k] = (int) (long) d;
            try {
                bytes = Math.multiplyExact(bytes, d);
            } catch (ArithmeticException overflow) {
                throw fail(path, "tensor " + StrictJsonText.quote(name) + ": shape " + shapeList + " overflows 64 bits of bytes");
            }
        }
        if (!(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end) || begin < 0 || end < begin) {
            throw fail(path, "tensor " + StrictJsonText.quote(name) + ": data_offsets " + offs + " must be integers 0 <= begin <= end");
        }
        if (end - begin != bytes) {
            throw fail(path, "tensor " + StrictJsonText.quote(name) + ": data_offsets " + offs + " hold " + (end - begin) + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + bytes);
        }
        return new SafetensorsFile.Entry(name, dtype, shape, begin, end);
    }

    /** Sorted by offset, the tensors must cover [0, dataLength) exactly once. */
    private static void tile(Path path, Iterable<SafetensorsFile.Entry> entries, long dataLength) {
        List<SafetensorsFile.Entry> sorted = new ArrayList<>();
        entries.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(SafetensorsFile.Entry::begin).thenComparingLong(SafetensorsFile.Entry::end));
        long at = 0;
        for (SafetensorsFile.Entry e : sorted) {
            if (e.begin() != at) {
                throw fail(path, "tensor " + StrictJsonText.quote(e.name()) + " starts at byte " + e.begin() + " of the data section, expected "
                        + at + (e.begin() < at ? " (it overlaps the tensor before it)" : " (a gap before it)"));
            }
            at = e.end();
        }
        if (at > dataLength) {
            throw fail(path, "the tensors end at byte " + at + " of the data section, which has only " + dataLength
                    + " bytes: file truncated");
        }
        if (at < dataLength) {
            throw fail(path, (dataLength - at) + " bytes after the last tensor (the data section must end with it)");
        }
    }

    private static LoupeException fail(Path path, String what) {
        return new LoupeException(path + ": " + what);
    }
}
