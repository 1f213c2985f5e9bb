package dev.loupe.engine.djl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the repository's {@code testdata/} folder from any module's working directory. */
final class TestData {
    private TestData() {}

    static Path golden(String name) {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("testdata/golden").resolve(name);
            if (Files.exists(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("testdata/golden/" + name + " not found above " + Paths.get("").toAbsolutePath());
    }
}
