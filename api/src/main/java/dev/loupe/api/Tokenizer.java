package dev.loupe.api;

import java.util.OptionalInt;

/**
 * Text to token ids and back. {@link #encode} adds no special tokens; {@link #encodeWithBos} is Loupe's one BOS
 * policy for prompts and documents. Close it with its model (native tokenizers hold native memory).
 */
public interface Tokenizer extends AutoCloseable {
    int[] encode(String text);

    String decode(int[] ids);

    /**
     * The text {@code tokens} add after {@code prompt}: the decoded whole minus the decoded prompt (so separators a
     * tokenizer puts between tokens are kept), or the tokens decoded alone when the prompt's text is not a prefix.
     */
    default String decodeContinuation(int[] prompt, int[] tokens) {
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + tokens.length);
        System.arraycopy(tokens, 0, all, prompt.length, tokens.length);
        String whole = decode(all);
        String head = decode(prompt);
        return whole.startsWith(head) ? whole.substring(head.length()) : decode(tokens);
    }

    /** The string form of one token as stored in the vocabulary. */
    String token(int id);

    int vocabSize();

    /** Beginning-of-sequence token, if the tokenizer declares one. */
    OptionalInt bosId();

    /** End-of-sequence token, if the tokenizer declares one. */
    OptionalInt eosId();

    /**
     * The text's ids after BOS when the tokenizer declares one, else the ids alone: how every prompt and document
     * Loupe encodes starts (TransformerLens's {@code prepend_bos}; a tokenizer without BOS gets nothing invented).
     */
    default int[] encodeWithBos(String text) {
        int[] body = encode(text);
        if (bosId().isEmpty()) {
            return body;
        }
        int[] ids = new int[body.length + 1];
        ids[0] = bosId().getAsInt();
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    /**
     * Where generation stops: EOS, or BOS when the tokenizer declares no EOS (text whose documents are separated by
     * BOS, as GPT-2's and the embedded model's); −1 when it declares neither.
     */
    default int stopId() {
        return eosId().orElse(bosId().orElse(-1));
    }

    /**
     * The one token {@code text} is, for reading a logit: refused (naming the text) when it encodes to no token,
     * to several, or to a token that decodes to other text (a word-level tokenizer's unknown token).
     */
    default int singleToken(String text) {
        int[] ids = encode(text);
        if (ids.length == 0) {
            throw new LoupeException("'" + text + "' names no token");
        }
        if (ids.length > 1) {
            throw new LoupeException("'" + text + "' is " + ids.length + " tokens, not one");
        }
        String back = decode(ids);
        if (!back.strip().equals(text.strip())) {
            throw new LoupeException("'" + text + "' names no token: the tokenizer reads it as token " + ids[0]
                    + " '" + back + "'");
        }
        return ids[0];
    }

    @Override
    default void close() {}

    /** The tokenizer of a model that has none: every call is a one-line error saying to pass token ids. */
    static Tokenizer missing() {
        return Missing.INSTANCE;
    }
}
