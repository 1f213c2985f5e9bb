package dev.loupe.dictionary;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * NumPy's {@code .npz} (a ZIP of {@code .npy} arrays, stored or deflated, as {@code np.savez} and
 * {@code np.savez_compressed} write them), read into float32 tensors. NPY format versions 1–3; little-endian
 * float16/32/64 ({@code <f2}, {@code <f4}, {@code <f8}); C or Fortran order. Anything else is refused by name.
 */
final class NpzFile {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpzFile() {}

    /** Every array in the archive, by name without {@code .npy}, in archive order. */
    static Map<String, Tensor> read(Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4)
                        : e.getName();
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name, array(file + ": array '" + name + "'", in));
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new LoupeException(file + ": not a NumPy .npz archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return out;
    }

    private static Tensor array(String where, InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] magic = in.readNBytes(6);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new LoupeException(where + ": not an .npy array (bad magic)");
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte();
        long headerLength;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
        } else if (major == 2 || major == 3) {
            headerLength = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        } else {
            throw new LoupeException(where + ": .npy format version " + major + " (expected 1, 2 or 3)");
        }
        if (headerLength > 1 << 20) {
            throw new LoupeException(where + ": .npy header of " + headerLength + " bytes (expected under 1 MiB)");
        }
        String header = new String(in.readNBytes((int) headerLength),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(where, DESCR, header, "descr");
        boolean fortran = group(where, FORTRAN, header, "fortran_order").equals("True");
        int[] shape = shape(where, group(where, SHAPE, header, "shape"));
        int width = switch (descr) {
            case "<f2" -> 2;
            case "<f4" -> 4;
            case "<f8" -> 8;
            default -> throw new LoupeException(where + ": dtype '" + descr + "' (expected little-endian float: "
                    + "<f2, <f4 or <f8)");
        };
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (count * width > Integer.MAX_VALUE - 8) {
            throw new LoupeException(where + ": " + count + " elements is more than one Java array holds");
        }
        byte[] bytes = in.readNBytes((int) (count * width));
        if (bytes.length != count * width) {
            throw new LoupeException(where + ": truncated (" + bytes.length + " of " + count * width + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] data = new float[(int) count];
        for (int i = 0; i < data.length; i++) {
            data[i] = switch (width) {
                case 2 -> Float.float16ToFloat(b.getShort());
                case 4 -> b.getFloat();
                default -> (float) b.getDouble();
            };
        }
        Tensor t = Tensor.of(data, fortran ? reversed(shape) : shape);
        if (fortran && shape.length > 1) {
            int[] order = new int[shape.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = order.length - 1 - i;
            }
            t = t.permute(order);
        }
        return t;
    }

    private static String group(String where, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new LoupeException(where + ": .npy header has no readable '" + key + "' (" + header.strip() + ")");
        }
        return m.group(1);
    }

    private static int[] shape(String where, String text) {
        String[] parts = text.split(",");
        java.util.List<Integer> dims = new java.util.ArrayList<>();
        for (String p : parts) {
            if (!p.isBlank()) {
                try {
                    dims.add(Integer.parseInt(p.strip()));
                } catch (NumberFormatException e) {
                    throw new LoupeException(where + ": shape (" + text + ") is not a tuple of integers");
                }
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] reversed(int[] shape) {
        int[] r = new int[shape.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = shape[shape.length - 1 - i];
        }
        return r;
    }
}
