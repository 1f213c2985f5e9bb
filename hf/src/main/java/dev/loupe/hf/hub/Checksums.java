package dev.loupe.hf.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A downloaded file against its hub etag: sha256 (64 hex, LFS files) or the git blob sha1 (40 hex). */
final class Checksums {
    private Checksums() {}

    /** Null when {@code file} matches {@code etag}; else the checksum it has. */
    static String verify(Path file, String etag) throws IOException {
        String actual;
        if (etag.matches("[0-9a-f]{64}")) {
            actual = digest("SHA-256", file, null);
        } else if (etag.matches("[0-9a-f]{40}")) {
            actual = digest("SHA-1", file, ("blob " + Files.size(file) + "\0").getBytes());
        } else {
            throw new IOException("etag '" + etag + "' is neither a sha256 nor a git sha1, so the download cannot be checked");
        }
        return actual.equals(etag) ? null : actual;
    }

    private static String digest(String algorithm, Path file, byte[] prefix) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            if (prefix != null) {
                md.update(prefix);
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
