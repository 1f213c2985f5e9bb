package dev.loupe.method.obsprop;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.io.AtomicFiles;
import dev.loupe.json.LoupeJson;
import java.nio.file.Path;

/** A plugin's result as pretty JSON in its output folder, written to a temporary sibling and moved into place. */
final class ResultFile {
    private static final ObjectMapper JSON = LoupeJson.pretty();

    private ResultFile() {}

    static Path write(Path dir, String name, Object result) {
        Path file = dir.resolve(name);
        AtomicFiles.write(file, tmp -> JSON.writeValue(tmp.toFile(), result));
        return file;
    }
}
