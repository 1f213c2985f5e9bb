package dev.loupe.method.obsprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Observables written as text: weighted sums of single-token logits, parsed once, mistakes named. */
class ObservableExpressionTest {
    /** Each word is one token, its index here; "two words" are two tokens; other words are [UNK]. */
    private static final List<String> VOCAB = List.of("[UNK]", "he", "she", "her", "four", "Paris", "London", "new",
            "york");
    private static final Tokenizer WORDS = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            return Arrays.stream(text.trim().split("\\s+")).filter(w -> !w.isEmpty())
                    .mapToInt(w -> Math.max(0, VOCAB.indexOf(w))).toArray();
        }

        @Override
        public String decode(int[] ids) {
            return String.join(" ", Arrays.stream(ids).mapToObj(VOCAB::get).toList());
        }

        @Override
        public String token(int id) {
            return String.valueOf(id);
        }

        @Override
        public int vocabSize() {
            return 100;
        }

        @Override
        public OptionalInt bosId() {
            return OptionalInt.empty();
        }

        @Override
        public OptionalInt eosId() {
            return OptionalInt.empty();
        }
    };

    @Test
    void weightedSumsOfLogits() {
        assertEquals(Observable.difference(2, 1), ObservableExpression.parse("logit(' she') - logit(' he')", WORDS));
        assertEquals(new Observable(Map.of(5, 2.0, 6, -0.5)),
                ObservableExpression.parse("2 * logit(\"Paris\") - 0.5 logit('London')", WORDS));
        assertEquals(new Observable(Map.of(4, 1e-3)), ObservableExpression.parse("+1e-3*logit('four')", WORDS));
        assertEquals(new Observable(Map.of(3, 2.0)), ObservableExpression.parse("logit('her') + 1 logit(' her ')",
                WORDS), "a token named twice sums its coefficients");
    }

    @Test
    void mistakesAreOneLineNamingWhere() {
        String[][] cases = {
            {"logit('she') logit('he')", "at character 14: expected + or - before the next term"},
            {"logit(she)", "at character 7: expected a quoted token inside logit(...)"},
            {"logit('she'", "at character 12: expected ) after the token"},
            {"logit('she", "at character 8: the quote is not closed"},
            {"prob('she')", "at character 1: expected logit('token')"},
            {"", "at character 1: expected logit('token')"},
            {"logit('new york')", "'new york' is 2 tokens, not one"},
            {"logit('he') - logit(' he')", "its coefficients cancel to zero"},
            {"logit('Rome')", "'Rome' names no token: the tokenizer reads it as token 0 '[UNK]'"},
            {"logit('')", "'' names no token"},
        };
        for (String[] c : cases) {
            LoupeException e = assertThrows(LoupeException.class, () -> ObservableExpression.parse(c[0], WORDS), c[0]);
            assertEquals(true, e.getMessage().startsWith("observable '" + c[0] + "'") && e.getMessage().contains(c[1]),
                    e.getMessage());
        }
    }
}
