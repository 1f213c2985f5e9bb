package dev.loupe.eval.toy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The toy world's tokenizer check: a word-level tokenizer over its words passes; one that has every word alone but
 * other ids in running text (GPT-2's {@code Ġword}) and one that lacks words are refused, naming the study.
 */
class ToyTokenizerCheckTest {
    private static final List<String> WORDS = ToyWorld.vocabulary(List.of());
    private static final int UNKNOWN = 9_999;

    /** Word ids; with {@code spaced}, a word after a space takes another id (offset 1000), as subword BPE does. */
    private record WordTokenizer(List<String> vocab, boolean spaced) implements Tokenizer {
        @Override
        public int[] encode(String text) {
            String[] parts = text.isEmpty() ? new String[0] : text.split(" ");
            int[] ids = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                int id = vocab.indexOf(parts[i]);
                ids[i] = id < 0 ? UNKNOWN : id + (spaced && i > 0 ? 1000 : 0);
            }
            return ids;
        }

        @Override
        public String decode(int[] ids) {
            List<String> out = new ArrayList<>();
            Arrays.stream(ids).forEach(id -> out.add(token(id)));
            return String.join(" ", out);
        }

        @Override
        public String token(int id) {
            return id == UNKNOWN ? "<unk>" : vocab.get(id % 1000);
        }

        @Override
        public int vocabSize() {
            return 2 * 1000;
        }

        @Override
        public OptionalInt bosId() {
            return OptionalInt.empty();
        }

        @Override
        public OptionalInt eosId() {
            return OptionalInt.empty();
        }
    }

    @Test
    void aWordTokenizerOverTheToyWorldPasses() {
        assertDoesNotThrow(() -> ToyWorld.requireTokenizer(new WordTokenizer(WORDS, false), "study"));
    }

    @Test
    void aSubwordTokenizerIsRefusedForItsRunningTextIds() {
        LoupeException e = assertThrows(LoupeException.class,
                () -> ToyWorld.requireTokenizer(new WordTokenizer(WORDS, true), "toyworld-demo"));
        assertTrue(e.getMessage().startsWith("toyworld-demo: this model's tokenizer gives the toy world's words other "
                + "ids in running text than alone (a subword tokenizer)"), e.getMessage());
    }

    @Test
    void aTokenizerLackingWordsIsRefusedNamingThem() {
        List<String> fewer = new ArrayList<>(WORDS);
        String gone = fewer.remove(fewer.size() - 1);
        LoupeException e = assertThrows(LoupeException.class,
                () -> ToyWorld.requireTokenizer(new WordTokenizer(fewer, false), "evaluator 'refusal'"));
        assertTrue(e.getMessage().startsWith("evaluator 'refusal': this model's tokenizer lacks 1 of the toy world's "
                + (WORDS.size() - 2) + " words as single tokens (" + gone + ")"), e.getMessage());
    }
}
