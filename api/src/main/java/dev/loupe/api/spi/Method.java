package dev.loupe.api.spi;

import dev.loupe.api.Capability;
import java.util.Set;

/**
 * An interpretability or steering method, provided by a plugin ({@code provides dev.loupe.api.spi.Method}).
 *
 * @param <C> the method's configuration record, read from JSON with Jackson
 */
public interface Method<C> {
    /** Unique short name, e.g. {@code steering}. */
    String name();

    /** One line for {@code loupe methods}. */
    String description();

    Class<C> configType();

    /** Capabilities the model's engine must have. */
    default Set<Capability> requires() {
        return Set.of();
    }

    MethodResult run(MethodContext context, C config);
}
