package dev.loupe.hf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the repository's {@code testdata} fixtures from the module's working directory. */
final class TestData {
    private TestData() {}

    /** A fixture under {@code testdata/golden}, or under {@code testdata} when it names {@code loupe-families/}. */
    static Path golden(String name) {
        return testdata(name.startsWith("loupe-families/") ? name : "golden/" + name);
    }

    private static Path testdata(String relative) {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata").resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("testdata/" + relative + " not found");
    }
}
