package dev.loupe.api.spi;

import dev.loupe.api.Model;
import java.nio.file.Path;

/**
 * What a method runs against.
 *
 * @param model     the loaded model
 * @param modelName how results name it (a directory, a hub name, or "embedded")
 * @param outputDir where the method writes its artifacts
 * @param seed      seed for every random choice the method makes
 * @param progress  where to report progress
 * @param plugins   the other plugins the launcher found (a method that scores with evaluators asks them here)
 */
public record MethodContext(Model model, String modelName, Path outputDir, long seed, Progress progress,
                            Plugins plugins) {
    public MethodContext {
        java.util.Objects.requireNonNull(plugins, "plugins");
    }

    /** A context that offers no other plugins, for a method that calls none. */
    public MethodContext(Model model, String modelName, Path outputDir, long seed, Progress progress) {
        this(model, modelName, outputDir, seed, progress, Plugins.none());
    }
}
