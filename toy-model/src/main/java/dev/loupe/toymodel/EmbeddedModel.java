package dev.loupe.toymodel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Where the embedded model's Hugging Face directory is: its files ship inside this jar and are copied once into a
 * cache folder named by their content hash ({@code $LOUPE_CACHE}, else {@code ~/.cache/loupe}), so every engine loads
 * it through the ordinary checkpoint loader.
 */
public final class EmbeddedModel {
    /** The files of the checkpoint, as {@code loupe train-toy} writes them. */
    public static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "training.json");

    private EmbeddedModel() {}

    /** Whether this build carries the model's files. */
    public static boolean available() {
        return FILES.stream().allMatch(f -> EmbeddedModel.class.getResource(f) != null);
    }

    /** The extracted model directory (extracted on first use). */
    public static synchronized Path directory() {
        if (!available()) {
            throw new IllegalStateException("the embedded model's files are missing from this build");
        }
        try {
            byte[][] contents = new byte[FILES.size()][];
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < FILES.size(); i++) {
                try (InputStream in = EmbeddedModel.class.getResourceAsStream(FILES.get(i))) {
                    contents[i] = in.readAllBytes();
                }
                sha.update(contents[i]);
            }
            String id = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            Path dir = cacheRoot().resolve("embedded-" + id);
            if (Files.isDirectory(dir)) {
                return dir;
            }
            Files.createDirectories(dir.getParent());
            Path tmp = Files.createTempDirectory(dir.getParent(), ".embedded-");
            for (int i = 0; i < FILES.size(); i++) {
                Files.write(tmp.resolve(FILES.get(i)), contents[i]);
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isDirectory(dir)) {
                    throw raced;
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the embedded model: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path cacheRoot() {
        String env = System.getenv("LOUPE_CACHE");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "loupe");
    }
}
