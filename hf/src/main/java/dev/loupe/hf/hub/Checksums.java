package dev.loupe.hf.hub;

import dev.loupe.io.FileDigests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A downloaded file against its hub etag: sha256 (64 hex, LFS files) or the git blob sha1 (40 hex). */
final class Checksums {
    private Checksums() {}

    /** Null when {@code file} matches {@code etag}; else the checksum it has. */
    static String verify(Path file, String etag) throws IOException {
        String actual;
        if (etag.matches("[0-9a-f]{64}")) {
            actual = FileDigests.sha256(file);
        } else if (etag.matches("[0-9a-f]{40}")) {
            actual = FileDigests.hex("SHA-1", file, ("blob " + Files.size(file) + "\0").getBytes());
        } else {
            throw new IOException("etag '" + etag + "' is neither a sha256 nor a git sha1, so the download cannot be checked");
        }
        return actual.equals(etag) ? null : actual;
    }
}
