package dev.loupe.method.obsprop;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;
import java.util.Map;
import java.util.TreeMap;

/**
 * An observable written as text: a weighted sum of token logits, e.g. {@code logit(' she') - logit(' he')} or
 * {@code 2 * logit("Paris") - 0.5 logit('London')}. Each term is an optional sign, an optional coefficient (with
 * or without {@code *}) and {@code logit(...)} of a quoted string that must be exactly one token; a token named
 * twice gets the sum of its coefficients. Parsed once; a mistake is one line naming where it is.
 */
public final class ObservableExpression {
    private final String text;
    private final Tokenizer tokenizer;
    private int i;

    private ObservableExpression(String text, Tokenizer tokenizer) {
        this.text = text;
        this.tokenizer = tokenizer;
    }

    public static Observable parse(String text, Tokenizer tokenizer) {
        if (tokenizer == null) {
            throw new LoupeException("observable '" + text + "': this model has no tokenizer to look its tokens up in");
        }
        return new ObservableExpression(text, tokenizer).sum();
    }

    private Observable sum() {
        Map<Integer, Double> weights = new TreeMap<>();
        ws();
        boolean first = true;
        while (i < text.length() || first) {
            double sign = 1;
            if (peek('+') || peek('-')) {
                sign = text.charAt(i++) == '-' ? -1 : 1;
                ws();
            } else if (!first) {
                throw error("expected + or - before the next term");
            }
            double coefficient = sign * number();
            int token = logit();
            weights.merge(token, coefficient, Double::sum);
            first = false;
            ws();
        }
        weights.values().removeIf(w -> w == 0);
        if (weights.isEmpty()) {
            throw new LoupeException("observable '" + text + "': its coefficients cancel to zero");
        }
        return new Observable(weights);
    }

    /** An optional coefficient, then an optional {@code *}; 1 when there is none. */
    private double number() {
        int start = i;
        while (i < text.length() && (Character.isDigit(text.charAt(i)) || "._eE".indexOf(text.charAt(i)) >= 0
                || (i > start && "+-".indexOf(text.charAt(i)) >= 0 && "eE".indexOf(text.charAt(i - 1)) >= 0))) {
            i++;
        }
        double c = 1;
        if (i > start) {
            try {
                c = Double.parseDouble(text.substring(start, i).replace("_", ""));
            } catch (NumberFormatException e) {
                i = start;
                throw error("'" + text.substring(start, Math.min(text.length(), start + 12)) + "' is not a number");
            }
            if (!Double.isFinite(c)) {
                throw error("coefficient " + c + " is not finite");
            }
        }
        ws();
        if (peek('*')) {
            i++;
            ws();
        }
        return c;
    }

    private int logit() {
        if (!text.startsWith("logit(", i)) {
            throw error("expected logit('token')");
        }
        i += "logit(".length();
        ws();
        if (!peek('\'') && !peek('"')) {
            throw error("expected a quoted token inside logit(...)");
        }
        char quote = text.charAt(i++);
        int end = text.indexOf(quote, i);
        if (end < 0) {
            throw error("the quote is not closed");
        }
        String token = text.substring(i, end);
        i = end + 1;
        ws();
        if (!peek(')')) {
            throw error("expected ) after the token");
        }
        i++;
        try {
            return tokenizer.singleToken(token);
        } catch (LoupeException e) {
            throw new LoupeException("observable '" + text + "': " + e.getMessage()
                    + " (an observable reads one token's logit)");
        }
    }

    private boolean peek(char c) {
        return i < text.length() && text.charAt(i) == c;
    }

    private void ws() {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
    }

    private LoupeException error(String what) {
        return new LoupeException("observable '" + text + "' at character " + (i + 1) + ": " + what);
    }
}
