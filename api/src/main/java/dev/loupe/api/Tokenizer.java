package dev.loupe.api;

import java.util.OptionalInt;

/** Text to token ids and back. Encoding adds no special tokens; callers prepend BOS themselves. */
public interface Tokenizer {
    int[] encode(String text);

    String decode(int[] ids);

    /** The string form of one token as stored in the vocabulary. */
    String token(int id);

    int vocabSize();

    /** Beginning-of-sequence token, if the tokenizer declares one. */
    OptionalInt bosId();

    /** End-of-sequence token, if the tokenizer declares one. */
    OptionalInt eosId();
}
