package dev.loupe.api.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a method produced: named numbers, a JSON-serialisable summary, and the files it wrote.
 *
 * @param method    the method's name
 * @param metrics   named scalar results
 * @param summary   any Jackson-serialisable details
 * @param artifacts files written under the context's output directory
 */
public record MethodResult(String method, Map<String, Double> metrics, Object summary, List<Path> artifacts) {
    public MethodResult {
        metrics = Map.copyOf(metrics);
        artifacts = List.copyOf(artifacts);
    }
}
