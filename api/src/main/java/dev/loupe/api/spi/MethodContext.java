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
 */
public record MethodContext(Model model, String modelName, Path outputDir, long seed, Progress progress) {}
