package dev.loupe.app;

import com.google.inject.Injector;
import jakarta.inject.Inject;
import java.util.Arrays;
import picocli.CommandLine;

/** Lets Guice build classes with an {@code @Inject} constructor (the commands); picocli builds the rest. */
final class GuiceFactory implements CommandLine.IFactory {
    private final Injector injector;

    GuiceFactory(Injector injector) {
        this.injector = injector;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        if (Arrays.stream(cls.getDeclaredConstructors()).anyMatch(c -> c.isAnnotationPresent(Inject.class))) {
            return injector.getInstance(cls);
        }
        return CommandLine.defaultFactory().create(cls);
    }
}
