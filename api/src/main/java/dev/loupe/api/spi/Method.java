package dev.loupe.api.spi;

import dev.loupe.api.Capability;
import java.util.Set;

/**
 * An interpretability or steering method, provided by a plugin ({@code provides dev.loupe.api.spi.Method}) and run
 * by any launcher that discovers it ({@code loupe method run NAME --config cfg.json}): the launcher loads the model,
 * reads the config, checks {@link #requires}, and calls {@link #run}.
 *
 * @param <C> the method's configuration record, read from JSON with Jackson
 */
public interface Method<C> {
    /** Unique short name, e.g. {@code steering}. */
    String name();

    /** One line for {@code loupe methods}. */
    String description();

    Class<C> configType();

    /**
     * The config a JSON file starts from, for {@code spec}'s model (defaults may depend on it, e.g. the middle
     * layer): the file's fields replace these, a field the defaults lack is an error naming it, and a field whose
     * default is null must be given. Null (the default): no defaults, every field must be given.
     */
    default C defaults(dev.loupe.api.ModelSpec spec) {
        return null;
    }

    /** Capabilities the model's engine must have. */
    default Set<Capability> requires() {
        return Set.of();
    }

    MethodResult run(MethodContext context, C config);
}
