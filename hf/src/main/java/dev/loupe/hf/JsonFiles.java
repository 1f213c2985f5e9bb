package dev.loupe.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.io.AtomicFiles;
import dev.loupe.json.LoupeJson;
import java.nio.file.Path;

/** Pretty JSON files written to a temporary sibling and moved into place, so a reader never sees half a file. */
public final class JsonFiles {
    private static final ObjectMapper JSON = LoupeJson.pretty();

    private JsonFiles() {}

    public static void write(Path file, Object value) {
        AtomicFiles.write(file, tmp -> JSON.writeValue(tmp.toFile(), value));
    }
}
