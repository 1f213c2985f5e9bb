package dev.loupe.app;

import com.google.inject.Injector;
import jakarta.inject.Inject;
import java.util.Arrays;
import picocli.CommandLine;

/** Lets Guice build classes with an {@code @Inject} constructor or field (the commands); picocli builds the rest. */
final class GuiceFactory implements CommandLine.IFactory {
    private final Injector injector;

    GuiceFactory(Injector injector) {
        this.injector = injector;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        if (Arrays.stream(cls.getDeclaredConstructors()).anyMatch(c -> c.isAnnotationPresent(Inject.class))
                || hasInjectedField(cls)) {
            return injector.getInstance(cls);
        }
        return CommandLine.defaultFactory().create(cls);
    }

    private static boolean hasInjectedField(Class<?> cls) {
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
            if (Arrays.stream(c.getDeclaredFields()).anyMatch(f -> f.isAnnotationPresent(Inject.class))) {
                return true;
            }
        }
        return false;
    }
}
