package dev.loupe.api;

import java.util.OptionalInt;

/**
 * Text to token ids and back. Encoding adds no special tokens; callers prepend BOS themselves. Close it with its
 * model (native tokenizers hold native memory).
 */
public interface Tokenizer extends AutoCloseable {
    int[] encode(String text);

    String decode(int[] ids);

    /** The string form of one token as stored in the vocabulary. */
    String token(int id);

    int vocabSize();

    /** Beginning-of-sequence token, if the tokenizer declares one. */
    OptionalInt bosId();

    /** End-of-sequence token, if the tokenizer declares one. */
    OptionalInt eosId();

    @Override
    default void close() {}

    /** The tokenizer of a model that has none: every call is a one-line error saying to pass token ids. */
    static Tokenizer missing() {
        return Missing.INSTANCE;
    }
}
