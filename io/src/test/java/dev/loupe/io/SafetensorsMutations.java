package dev.loupe.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random valid safetensors files and the mutations the fuzz suite applies to them. */
final class SafetensorsMutations {
    private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL"};
    private static final int[] SIZES = {4, 2, 2, 8, 8, 4, 2, 1, 1, 1};
    private static final String[] NAMES = {"w", "model.layers.0.mlp.weight", "b\u00e9", "\u4e2d", "x y", "q\\\"k", "__m"};

    private SafetensorsMutations() {}

    static byte[] valid(Random rnd) {
        int count = rnd.nextInt(4);
        StringBuilder h = new StringBuilder("{");
        if (rnd.nextBoolean()) {
            h.append("\"__metadata__\":{\"format\":\"pt\"}");
        }
        long offset = 0;
        List<Integer> order = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            order.add(t);
        }
        java.util.Collections.shuffle(order, rnd);
        long[] begins = new long[count];
        long[] lengths = new long[count];
        String[] entries = new String[count];
        for (int t = 0; t < count; t++) {
            int d = rnd.nextInt(DTYPES.length);
            int rank = rnd.nextInt(3);
            StringBuilder shape = new StringBuilder("[");
            long numel = 1;
            for (int k = 0; k < rank; k++) {
                int dim = rnd.nextInt(4);
                numel *= dim;
                shape.append(k > 0 ? "," : "").append(dim);
            }
            lengths[t] = numel * SIZES[d];
            entries[t] = "\"" + NAMES[t % NAMES.length] + t + "\":{\"dtype\":\"" + DTYPES[d] + "\",\"shape\":" + shape
                    + "],\"data_offsets\":[";
        }
        for (int t : order) {
            begins[t] = offset;
            offset += lengths[t];
        }
        for (int t = 0; t < count; t++) {
            h.append(h.length() > 1 ? "," : "").append(entries[t]).append(begins[t]).append(',')
                    .append(begins[t] + lengths[t]).append("]}");
        }
        h.append('}').append(" ".repeat(rnd.nextInt(8)));
        byte[] data = new byte[(int) offset];
        rnd.nextBytes(data);
        for (int i = 0; i < data.length; i++) {
            data[i] &= 0x3f; // finite floats, small integers
        }
        return assemble(h.toString().getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] assemble(byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(header.length).put(header).put(data).array();
    }

    static byte[] mutate(byte[] f, Random rnd) {
        int n = (int) SafetensorsFuzzTest.headerLength(f);
        byte[] header = java.util.Arrays.copyOfRange(f, 8, 8 + n);
        byte[] data = java.util.Arrays.copyOfRange(f, 8 + n, f.length);
        String h = new String(header, StandardCharsets.UTF_8);
        return switch (rnd.nextInt(16)) {
            case 0 -> f;
            case 1 -> flip(f, 8 + rnd.nextInt(Math.max(1, n)), rnd);
            case 2 -> flip(f, rnd.nextInt(8), rnd);
            case 3 -> withLength(f, n + rnd.nextInt(7) - 3);
            case 4 -> java.util.Arrays.copyOf(f, rnd.nextInt(f.length + 1));
            case 5 -> concat(f, new byte[1 + rnd.nextInt(9)]);
            case 6 -> text(edit(h, rnd, "[".repeat(1 + rnd.nextInt(20_000))), data);
            case 7 -> text(edit(h, rnd, String.valueOf((char) rnd.nextInt(0x20))), data);
            case 8 -> text(edit(h, rnd, "\\" + (char) (0x21 + rnd.nextInt(0x5e))), data);
            case 9 -> concat(withLength(assemble(concat(header, new byte[] {(byte) (0x80 + rnd.nextInt(0x80))}), data),
                    n + 1), new byte[0]);
            case 10 -> text(h.replace("\"format\":\"pt\"", "\"format\":" + (rnd.nextBoolean() ? "1" : "[\"pt\"]")), data);
            case 11 -> text(h.replaceFirst("\"data_offsets\":\\[(\\d+),(\\d+)\\]", "\"data_offsets\":[" + rnd.nextInt(40)
                    + "," + rnd.nextInt(80) + "]"), data);
            case 12 -> text(h.replaceFirst("\"shape\":\\[[^]]*\\]", "\"shape\":[" + (rnd.nextBoolean()
                    ? "4294967296,4294967296" : rnd.nextInt(5) + "," + (rnd.nextInt(3) - 1)) + "]"), data);
            case 13 -> text(duplicateFirstEntry(h), data);
            case 14 -> text(edit(h, rnd, rnd.nextBoolean() ? "\\ud800" : "\\u00e9"), data);
            default -> text(h.replaceFirst("\"dtype\":\"[A-Z0-9]+\"", "\"dtype\":\""
                    + (rnd.nextBoolean() ? "F8_E4M3" : DTYPES[rnd.nextInt(DTYPES.length)]) + "\""), data);
        };
    }

    private static String edit(String h, Random rnd, String insert) {
        int at = rnd.nextInt(h.length() + 1);
        return h.substring(0, at) + insert + h.substring(at);
    }

    private static String duplicateFirstEntry(String h) {
        int colon = h.indexOf("\":{");
        if (colon < 0) {
            return h;
        }
        int start = h.lastIndexOf('"', colon - 1);
        int end = h.indexOf('}', colon) + 1;
        return "{" + h.substring(start, end) + "," + h.substring(1);
    }

    private static byte[] text(String header, byte[] data) {
        return assemble(header.getBytes(StandardCharsets.UTF_8), data);
    }

    private static byte[] flip(byte[] f, int at, Random rnd) {
        byte[] out = f.clone();
        if (at < out.length) {
            out[at] ^= (byte) (1 + rnd.nextInt(255));
        }
        return out;
    }

    private static byte[] withLength(byte[] f, long n) {
        byte[] out = f.clone();
        ByteBuffer.wrap(out, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
