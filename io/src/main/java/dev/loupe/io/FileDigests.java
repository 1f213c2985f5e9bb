package dev.loupe.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hex digests of files, streamed: what tells a downloaded or paired file from another. */
public final class FileDigests {
    private FileDigests() {}

    /** The lowercase hex sha256 of {@code file}. */
    public static String sha256(Path file) throws IOException {
        return hex("SHA-256", file, null);
    }

    /** The lowercase hex {@code algorithm} digest of {@code prefix} (may be null) followed by {@code file}. */
    public static String hex(String algorithm, Path file, byte[] prefix) throws IOException {
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
