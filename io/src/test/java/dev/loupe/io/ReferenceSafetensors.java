package dev.loupe.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fuzz suite's oracle: an independent statement of the Rust {@code safetensors} crate's rules, on Jackson
 * (strict: duplicate keys, trailing tokens, nesting 128) rather than Loupe's parser, restricted to the dtypes and
 * dimension range Loupe reads. {@link #violation} is null for a file both must accept.
 */
final class ReferenceSafetensors {
    private static final Map<String, Integer> DTYPES = Map.of("F64", 8, "F32", 4, "F16", 2, "BF16", 2, "I64", 8,
            "I32", 4, "I16", 2, "I8", 1, "U8", 1, "BOOL", 1);
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(128).build()).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private ReferenceSafetensors() {}

    static String violation(byte[] file) {
        if (file.length < 8) {
            return "short";
        }
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > 100_000_000L || n > file.length - 8L) {
            return "header length";
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(file, 8, (int) n)).toString();
        } catch (Exception e) {
            return "utf-8";
        }
        if (!text.startsWith("{")) {
            return "start";
        }
        JsonNode root;
        try (JsonParser p = JSON.createParser(text)) {
            root = JSON.readTree(p);
        } catch (Exception e) {
            return "json";
        }
        if (root == null || !root.isObject() || loneSurrogate(text)) {
            return "json";
        }
        List<long[]> spans = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().equals("__metadata__")) {
                if (!v.isObject()) {
                    return "metadata";
                }
                for (JsonNode m : v) {
                    if (!m.isTextual()) {
                        return "metadata value";
                    }
                }
                continue;
            }
            if (!v.isObject() || !v.path("dtype").isTextual() || !DTYPES.containsKey(v.path("dtype").asText())
                    || !v.path("shape").isArray() || !v.path("data_offsets").isArray() || v.path("data_offsets").size() != 2) {
                return "entry";
            }
            long bytes = DTYPES.get(v.path("dtype").asText());
            for (JsonNode d : v.path("shape")) {
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                    return "shape";
                }
                try {
                    bytes = Math.multiplyExact(bytes, d.asLong());
                } catch (ArithmeticException overflow) {
                    return "overflow";
                }
            }
            JsonNode b = v.path("data_offsets").get(0), en = v.path("data_offsets").get(1);
            if (!b.isIntegralNumber() || !en.isIntegralNumber() || !b.canConvertToLong() || !en.canConvertToLong()
                    || b.asLong() < 0 || en.asLong() < b.asLong() || en.asLong() - b.asLong() != bytes) {
                return "offsets";
            }
            spans.add(new long[] {b.asLong(), en.asLong()});
        }
        spans.sort(Comparator.<long[]>comparingLong(s -> s[0]).thenComparingLong(s -> s[1]));
        long at = 0;
        for (long[] s : spans) {
            if (s[0] != at) {
                return "tiling";
            }
            at = s[1];
        }
        return at == file.length - 8L - n ? null : "coverage";
    }

    /** serde_json refuses an unpaired surrogate escape; Jackson lets it through. */
    private static boolean loneSurrogate(String text) {
        for (int i = 0; i + 5 < text.length(); i++) {
            if (text.charAt(i) == '\\') {
                if (text.charAt(i + 1) == 'u') {
                    char c = (char) Integer.parseInt(text.substring(i + 2, i + 6), 16);
                    if (Character.isHighSurrogate(c)) {
                        boolean paired = i + 12 <= text.length() && text.startsWith("\\u", i + 6)
                                && Character.isLowSurrogate((char) Integer.parseInt(text.substring(i + 8, i + 12), 16));
                        if (!paired) {
                            return true;
                        }
                        i += 11;
                    } else if (Character.isLowSurrogate(c)) {
                        return true;
                    } else {
                        i += 5;
                    }
                } else {
                    i++;
                }
            }
        }
        return false;
    }

    static final Set<String> KNOWN = DTYPES.keySet();
}
