package dev.loupe.app.cli;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The {@code --cache NAMES --out FILE} pair of {@code run} and {@code generate}: hook names or {@code all}. */
final class CacheOption {
    private CacheOption() {}

    /** An error if names are given without a file to write them to (checked before a model loads). */
    static void requireOut(List<String> names, Path out) {
        if (!names.isEmpty() && out == null) {
            throw new LoupeException("--cache needs --out FILE.safetensors to write the activations to");
        }
    }

    /** The named hooks on {@code spec} (each checked when the engine runs them). */
    static Set<HookPoint> hooks(List<String> names, ModelSpec spec) {
        Set<HookPoint> hooks = new LinkedHashSet<>();
        for (String name : names) {
            if (name.equals("all")) {
                hooks.addAll(spec.hookPoints());
            } else {
                hooks.add(HookPoint.parse(name));
            }
        }
        return hooks;
    }
}
