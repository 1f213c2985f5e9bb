package dev.loupe.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The GPT-2 tokenizer reproduces the 57 reference cases (gpt-3-encoder, cross-checked by six implementations). */
class HfTokenizerTest {
    private static HfTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = HfTokenizer.load(TestData.golden("gpt2-tokenizer/tokenizer.json"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void reproducesEveryReferenceCase() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(TestData.golden("gpt2-tokenizer/tokenizer-cases.json").toFile());
        assertEquals(57, cases.size());
        int ids = 0;
        for (JsonNode c : cases) {
            int[] expected = new int[c.get("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.get("ids").get(i).asInt();
            }
            String text = c.get("text").asText();
            assertArrayEquals(expected, tokenizer.encode(text), () -> "case " + c.get("text"));
            assertEquals(text, tokenizer.decode(expected), "decode of case " + c.get("text"));
            ids += expected.length;
        }
        assertEquals(512, ids);
    }

    @Test
    void vocabularyAndSpecialTokens() {
        assertEquals(50257, tokenizer.vocabSize());
        assertEquals("Hello", tokenizer.token(15496));
        assertEquals("Ġworld", tokenizer.token(995));
        assertEquals(50256, tokenizer.bosId().orElseThrow());
        assertEquals(50256, tokenizer.eosId().orElseThrow());
        LoupeException e = assertThrows(LoupeException.class, () -> tokenizer.token(50257));
        assertEquals("token id 50257 is out of range for a vocabulary of 50257", e.getMessage());
    }
}
