package dev.loupe.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.loupe.api.spi.Plugins;

/**
 * The application's wiring: the engines, methods and evaluators that {@link java.util.ServiceLoader} finds, and
 * the services built on them. A custom application can install this module, or its own with a filtered
 * {@link Plugins}.
 */
public class LoupeModule extends AbstractModule {
    @Provides
    @Singleton
    Plugins plugins() {
        return Plugins.discover();
    }
}
