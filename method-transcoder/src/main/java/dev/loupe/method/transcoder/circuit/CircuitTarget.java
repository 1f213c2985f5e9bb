package dev.loupe.method.transcoder.circuit;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a circuit explains, written as text: {@code logit:' Paris'} (one token's logit), {@code logit-demeaned:' Paris'}
 * (its logit less the mean logit over the vocabulary: circuit-tracer's logit node, whose attribution vector is the
 * token's unembedding column less the mean column), {@code logit-diff:' Paris', ' London'} (the first token's logit
 * minus the second's) or {@code feature:L.F} (feature F of the layer-L transcoder's pre-activation), all at the
 * prompt's last token. Tokens are quoted with {@code '} or {@code "} and
 * must each be exactly one token ({@link Tokenizer#singleToken}); a mistake is one line naming the target.
 */
public final class CircuitTarget {
    private CircuitTarget() {}

    public static Circuits.Root parse(String text, Tokenizer tokenizer, int dVocab) {
        if (text == null || text.isBlank()) {
            throw new LoupeException("circuit target is empty: expected logit:'TOKEN', logit-demeaned:'TOKEN', "
                    + "logit-diff:'A','B' or feature:LAYER.INDEX");
        }
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon).strip();
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        try {
            return switch (kind) {
                case "logit" -> logits(text, tokens(rest, 1), new double[] {1}, tokenizer, dVocab);
                case "logit-demeaned" -> demeaned(logits(text, tokens(rest, 1), new double[] {1}, tokenizer, dVocab));
                case "logit-diff" -> logits(text, tokens(rest, 2), new double[] {1, -1}, tokenizer, dVocab);
                case "feature" -> feature(rest.strip());
                default -> throw new LoupeException("unknown kind '" + kind + "' (expected logit, logit-demeaned, logit-diff "
                        + "or feature)");
            };
        } catch (LoupeException e) {
            throw new LoupeException("circuit target '" + text + "': " + e.getMessage());
        }
    }

    private static Circuits.Root.Logit logits(String text, List<String> tokens, double[] signs, Tokenizer tokenizer,
                                        int dVocab) {
        float[] direction = new float[dVocab];
        for (int i = 0; i < tokens.size(); i++) {
            int id = tokenizer.singleToken(tokens.get(i));
            if (id >= dVocab) {
                throw new LoupeException("token " + id + " of '" + tokens.get(i) + "' is outside the model's "
                        + dVocab + " logits");
            }
            direction[id] += (float) signs[i];
        }
        if (tokens.size() == 2 && tokens.get(0).equals(tokens.get(1))) {
            throw new LoupeException("the two tokens are the same, so the difference is zero");
        }
        String label = tokens.size() == 1 ? "logit(" + quote(tokens.get(0)) + ")"
                : "logit(" + quote(tokens.get(0)) + ") - logit(" + quote(tokens.get(1)) + ")";
        return new Circuits.Root.Logit(direction, label);
    }

    /** The logit less the mean logit: the direction less 1/V on every token. */
    private static Circuits.Root demeaned(Circuits.Root.Logit logit) {
        float[] d = logit.direction().clone();
        float mean = 1f / d.length;
        for (int v = 0; v < d.length; v++) {
            d[v] -= mean;
        }
        return new Circuits.Root.Logit(d, logit.label() + " - mean logit");
    }

    private static Circuits.Root feature(String rest) {
        int dot = rest.indexOf('.');
        try {
            int layer = Integer.parseInt(rest.substring(0, Math.max(0, dot)));
            int index = Integer.parseInt(rest.substring(dot + 1));
            if (layer < 0 || index < 0) {
                throw new NumberFormatException();
            }
            return new Circuits.Root.Feature(layer, index);
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new LoupeException("expected feature:LAYER.INDEX with two non-negative integers, e.g. feature:3.417");
        }
    }

    /** {@code count} quoted strings separated by commas. */
    private static List<String> tokens(String rest, int count) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < rest.length() && Character.isWhitespace(rest.charAt(i))) {
                i++;
            }
            if (i >= rest.length() || (rest.charAt(i) != '\'' && rest.charAt(i) != '"')) {
                throw new LoupeException("expected " + count + " quoted token" + (count > 1 ? "s" : "")
                        + " after the colon, e.g. " + (count == 1 ? "logit:' Paris'" : "logit-diff:' Paris',' London'"));
            }
            char q = rest.charAt(i);
            int end = rest.indexOf(q, i + 1);
            if (end < 0) {
                throw new LoupeException("the quote at character " + (i + 1) + " after the colon is not closed");
            }
            out.add(rest.substring(i + 1, end));
            i = end + 1;
            while (i < rest.length() && Character.isWhitespace(rest.charAt(i))) {
                i++;
            }
            if (out.size() == count) {
                if (i < rest.length()) {
                    throw new LoupeException("unexpected '" + rest.substring(i) + "' after " + count + " token"
                            + (count > 1 ? "s" : ""));
                }
                return out;
            }
            if (i >= rest.length() || rest.charAt(i) != ',') {
                throw new LoupeException("expected , and a second quoted token");
            }
            i++;
        }
    }

    private static String quote(String token) {
        return "'" + token + "'";
    }
}
