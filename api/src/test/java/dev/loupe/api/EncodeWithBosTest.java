package dev.loupe.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The one BOS policy: BOS first when the tokenizer declares one, nothing invented when it does not. */
class EncodeWithBosTest {
    private static Tokenizer withBos(OptionalInt bos) {
        return new Tokenizer() {
            @Override
            public int[] encode(String text) {
                return text.chars().map(c -> c - 'a' + 1).toArray();
            }

            @Override
            public String decode(int[] ids) {
                return "";
            }

            @Override
            public String token(int id) {
                return "";
            }

            @Override
            public int vocabSize() {
                return 27;
            }

            @Override
            public OptionalInt bosId() {
                return bos;
            }

            @Override
            public OptionalInt eosId() {
                return OptionalInt.empty();
            }
        };
    }

    @Test
    void bosIsPrependedOnlyWhenDeclared() {
        assertArrayEquals(new int[] {0, 1, 2}, withBos(OptionalInt.of(0)).encodeWithBos("ab"));
        assertArrayEquals(new int[] {1, 2}, withBos(OptionalInt.empty()).encodeWithBos("ab"));
    }
}
