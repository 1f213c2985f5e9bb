package dev.loupe.api.spi;

import dev.loupe.api.intervention.Intervention;

/**
 * A plugin's intervention kind, as files name it: {@code "kind": name()} reads as a {@link #type()} record
 * ({@code provides dev.loupe.api.spi.InterventionKind}). Engines run it by its reference code where they run
 * custom hooks ({@link Intervention.Extension}).
 */
public interface InterventionKind {
    /** The name files give as {@code kind}; a built-in kind's name ({@code add}, {@code splice}, …) is refused. */
    String name();

    /** The record a file's entry becomes. */
    Class<? extends Intervention.Extension> type();
}
