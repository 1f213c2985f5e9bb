package dev.loupe.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad tokenizer.json files and tokenizers too large for the embedding: one-line errors naming file and field. */
class TokenizerValidationTest {
    @TempDir
    Path tmp;

    private final Path gpt2 = TestData.golden("gpt2-tokenizer/tokenizer.json");

    @Test
    void idsOutsideTheVocabularyAreRefusedByName() throws IOException {
        assertRefused(t -> ((ObjectNode) t.path("model").path("vocab")).put("!", -1), "model.vocab.!");
        assertRefused(t -> ((ObjectNode) t.path("model").path("vocab")).put("!", Integer.MAX_VALUE), "model.vocab.!");
        assertRefused(t -> ((ObjectNode) t.path("added_tokens").get(0)).put("id", 1L << 32), "added_tokens[0].id");
    }

    @Test
    void aVocabularyOfTheWrongTypeIsRefusedByName() throws IOException {
        assertRefused(t -> ((ObjectNode) t.get("model")).putArray("vocab").add(1), "model.vocab");
        assertRefused(t -> ((ObjectNode) t.get("model")).put("type", "Mystery"), "model.type");
        assertRefused(t -> t.put("added_tokens", "x"), "added_tokens");
    }

    @Test
    void deeplyNestedJsonIsOneLine() throws IOException {
        Path f = tmp.resolve("tokenizer.json");
        Files.writeString(f, "{\"model\":" + "[".repeat(10_000));
        LoupeException e = assertThrows(LoupeException.class, () -> HfTokenizer.load(f));
        assertTrue(e.getMessage().startsWith(f + ": not valid JSON"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void aTokenizerLargerThanTheEmbeddingIsRefused() throws IOException {
        Path dir = EditedCheckpoints.copy(tmp, TestData.golden("gpt2-tiny"), c -> { });
        Files.copy(gpt2, dir.resolve("tokenizer.json"));
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            LoupeException e = assertThrows(LoupeException.class, c::loadTokenizer);
            assertTrue(e.getMessage().contains("token ids reach 50256 but the embedding has"), e.getMessage());
        }
    }

    private void assertRefused(Consumer<ObjectNode> edit, String field) throws IOException {
        ObjectNode t = (ObjectNode) EditedCheckpoints.JSON.readTree(gpt2.toFile());
        edit.accept(t);
        Path f = Files.createTempDirectory(tmp, "tok").resolve("tokenizer.json");
        EditedCheckpoints.JSON.writeValue(f.toFile(), t);
        LoupeException e = assertThrows(LoupeException.class, () -> HfTokenizer.load(f).close(), field);
        assertTrue(e.getMessage().contains("'" + field), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertEquals(e.getMessage().indexOf(f.toString()), e.getMessage().lastIndexOf(f.toString()), e.getMessage());
    }
}
