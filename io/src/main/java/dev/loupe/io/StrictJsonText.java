package dev.loupe.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The strict JSON reader (RFC 8259, as serde_json reads a safetensors header) and string quoter behind the
 * safetensors header and the commit journal. Kept apart from Jackson on purpose: the safetensors fuzz suite's oracle
 * is Jackson, so the reader under test and the oracle are independent implementations. Objects become {@link LinkedHashMap}s, arrays {@link List}s, numbers {@link Long} or {@link Double}. Refused:
 * nesting deeper than {@link #MAX_DEPTH}, duplicate keys, raw control characters in strings, unknown escapes,
 * lone surrogates, non-JSON whitespace and numbers outside the JSON grammar.
 */
final class StrictJsonText {
    /** The deepest nesting accepted (serde_json's recursion limit). */
    static final int MAX_DEPTH = 128;

    private final String s;
    private int i;
    private int depth;

    private StrictJsonText(String s) {
        this.s = s;
    }

    /** Parses one JSON value; throws {@link IllegalArgumentException} with the offset on bad input. */
    static Object parse(String text) {
        StrictJsonText p = new StrictJsonText(text);
        Object v = p.value();
        p.ws();
        if (p.i != text.length()) {
            throw p.error("trailing characters");
        }
        return v;
    }

    /** {@code text} as a JSON string literal. */
    static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private Object value() {
        ws();
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(i);
        if ((c == '{' || c == '[') && ++depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (peek('}')) {
            i++;
            depth--;
            return m;
        }
        while (true) {
            ws();
            if (!peek('"')) {
                throw error("expected a key");
            }
            int at = i;
            String k = string();
            ws();
            expect(':');
            if (m.containsKey(k)) {
                i = at;
                throw error("duplicate key " + quote(k));
            }
            m.put(k, value());
            ws();
            if (peek(',')) {
                i++;
            } else {
                expect('}');
                depth--;
                return m;
            }
        }
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (peek(']')) {
            i++;
            depth--;
            return l;
        }
        while (true) {
            l.add(value());
            ws();
            if (peek(',')) {
                i++;
            } else {
                expect(']');
                depth--;
                return l;
            }
        }
    }

    private String string() {
        i++;
        StringBuilder b = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                i--;
                throw error("raw control character U+" + String.format("%04X", (int) c) + " in a string");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i < s.length() && Character.isLowSurrogate(s.charAt(i))) {
                    b.append(c).append(s.charAt(i++));
                    continue;
                }
                throw error("lone surrogate in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                break;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u) && s.startsWith("\\u", i)) {
                        i += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw error("lone surrogate in a \\u escape");
                        }
                        b.append(u).append(low);
                    } else if (Character.isSurrogate(u)) {
                        throw error("lone surrogate in a \\u escape");
                    } else {
                        b.append(u);
                    }
                }
                default -> {
                    i--;
                    throw error("invalid escape '\\" + e + "'");
                }
            }
        }
        throw error("unterminated string");
    }

    private char hex4() {
        if (i + 4 > s.length()) {
            throw error("bad \\u escape");
        }
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i + k), 16);
            if (d < 0 || s.charAt(i + k) > 'f') {
                throw error("bad \\u escape");
            }
            v = v * 16 + d;
        }
        i += 4;
        return (char) v;
    }

    private Object number() {
        int start = i;
        boolean fraction = false;
        if (peek('-')) {
            i++;
        }
        if (peek('0')) {
            i++;
        } else if (digits() == 0) {
            throw error(i < s.length() ? "unexpected character '" + s.charAt(i) + "'" : "unexpected end");
        }
        if (peek('.')) {
            i++;
            fraction = true;
            if (digits() == 0) {
                throw error("expected a digit after '.'");
            }
        }
        if (peek('e') || peek('E')) {
            i++;
            fraction = true;
            if (peek('+') || peek('-')) {
                i++;
            }
            if (digits() == 0) {
                throw error("expected a digit in the exponent");
            }
        }
        String t = s.substring(start, i);
        try {
            return fraction ? (Object) Double.parseDouble(t) : (Object) Long.parseLong(t);
        } catch (NumberFormatException e) {
            return Double.parseDouble(t); // an integer beyond 64 bits, as serde_json's f64 fallback
        }
    }

    private int digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i - start;
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) {
            throw error("unexpected token");
        }
        i += word.length();
        return v;
    }

    private void ws() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
            i++;
        }
    }

    private boolean peek(char c) {
        return i < s.length() && s.charAt(i) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        i++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at offset " + i);
    }
}
