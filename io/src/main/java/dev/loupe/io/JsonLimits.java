package dev.loupe.io;

import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The largest JSON file of each kind Loupe will parse, checked before a parser sees it, so a huge or endless file
 * (a FIFO, a device) is one line naming it, not an OutOfMemoryError or a hang. Nesting, number and string lengths
 * are bounded by the parsers themselves (Jackson's {@code StreamReadConstraints} defaults: depth 500, numbers of
 * 1,000 digits, strings of 20 MB; the safetensors header's reader: depth 128).
 */
public final class JsonLimits {
    /** Configs, transcoder cfgs, manifests, vector metadata, shard indexes: 64 MiB. */
    public static final long CONFIG = 64L << 20;
    /** {@code tokenizer.json} (Gemma's is 33 MB): 1 GiB. */
    public static final long TOKENIZER = 1L << 30;

    private JsonLimits() {}

    /** {@code file}, once it is known to be a regular file of at most {@code maxBytes}. */
    public static Path check(Path file, long maxBytes) {
        if (!Files.isRegularFile(file)) {
            throw new LoupeException(file + ": " + (Files.exists(file) ? "not a regular file" : "missing"));
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (size > maxBytes) {
            throw new LoupeException(file + ": " + size + " bytes, more than the " + maxBytes
                    + " a JSON file of this kind may have");
        }
        return file;
    }
}
