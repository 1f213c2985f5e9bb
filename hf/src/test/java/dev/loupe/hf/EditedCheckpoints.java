package dev.loupe.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Copies of a fixture checkpoint with an edited {@code config.json}, and the refusal they must get. */
final class EditedCheckpoints {
    static final ObjectMapper JSON = new ObjectMapper();

    private EditedCheckpoints() {}

    /** A copy of {@code source} under {@code tmp} whose config has had {@code edit} applied. */
    static Path copy(Path tmp, Path source, Consumer<ObjectNode> edit) throws IOException {
        Path dir = Files.createTempDirectory(tmp, source.getFileName().toString());
        ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
        edit.accept(config);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        Files.copy(source.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        return dir;
    }

    /** Opening the edited copy is a one-line error whose text names {@code field} (quoted or dotted). */
    static LoupeException assertRefused(Path tmp, Path source, Consumer<ObjectNode> edit, String field)
            throws IOException {
        Path dir = copy(tmp, source, edit);
        LoupeException e = assertThrows(LoupeException.class, () -> HfCheckpoint.open(dir).close(),
                source.getFileName() + ": " + field);
        assertTrue(e.getMessage().contains("'" + field) || e.getMessage().contains("." + field + "'"),
                source.getFileName() + ": " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e;
    }
}
