package dev.loupe.api.spi;

import dev.loupe.api.Capability;
import dev.loupe.api.Model;
import java.util.Set;

/**
 * An engine runs models: the service that engine plugins provide ({@code provides dev.loupe.api.spi.Engine with …}
 * in module-info plus {@code META-INF/services/dev.loupe.api.spi.Engine}). Found through {@link Plugins}.
 */
public interface Engine {
    /** Unique short name, e.g. {@code djl}; users pick engines by it. */
    String name();

    Set<Capability> capabilities();

    /** Engines with higher rank are the default when the user names none. */
    default int rank() {
        return 0;
    }

    /** Loads a model; bad files give a {@link dev.loupe.api.LoupeException} naming the file. */
    Model load(ModelSource source, LoadOptions options);

    default Model load(ModelSource source) {
        return load(source, LoadOptions.DEFAULT);
    }

    /**
     * Writes {@code model} (loaded on any engine) in this engine's own file format, one that {@link #load} reads
     * back; engines without a format of their own throw.
     */
    default void export(Model model, java.nio.file.Path file) {
        throw new UnsupportedOperationException("engine '" + name() + "' has no file format of its own to export to");
    }
}
