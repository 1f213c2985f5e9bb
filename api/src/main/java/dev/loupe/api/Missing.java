package dev.loupe.api;

import java.util.OptionalInt;

/** {@link Tokenizer#missing()}. */
enum Missing implements Tokenizer {
    INSTANCE;

    private static LoupeException error() {
        return new LoupeException("this model has no tokenizer (its folder has no tokenizer.json); pass token ids");
    }

    @Override
    public int[] encode(String text) {
        throw error();
    }

    @Override
    public String decode(int[] ids) {
        throw error();
    }

    @Override
    public String token(int id) {
        throw error();
    }

    @Override
    public int vocabSize() {
        throw error();
    }

    @Override
    public OptionalInt bosId() {
        throw error();
    }

    @Override
    public OptionalInt eosId() {
        throw error();
    }
}
