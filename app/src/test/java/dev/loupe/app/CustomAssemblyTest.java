package dev.loupe.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.util.Modules;
import dev.loupe.api.spi.Plugins;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/plugins.md's custom application: Loupe's wiring with the plugins narrowed to a subset. */
class CustomAssemblyTest {
    /** Only the DJL engine, the steering method and the refusal evaluator. */
    static final class SteeringOnly extends AbstractModule {
        @Provides
        @Singleton
        Plugins plugins() {
            return Plugins.discover().retain(Set.of("djl", "steering", "refusal"));
        }
    }

    @Test
    void aCustomModuleOffersASubsetOfThePlugins() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(Modules.override(new LoupeModule()).with(new SteeringOnly()), new PrintWriter(out, true),
                new PrintWriter(err, true), "models");
        assertEquals(0, code, err.toString());
        String listing = out.toString();
        assertTrue(listing.contains("djl") && listing.contains("steering") && listing.contains("refusal"), listing);
        assertFalse(listing.contains("greater-than") || listing.contains("pronouns"), listing);
    }
}
