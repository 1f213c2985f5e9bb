package dev.loupe.app.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.spi.Engine;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.PluginException;
import dev.loupe.api.spi.Plugins;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins Loupe has never seen are found on the module path and the class path; name clashes are reported. */
class PluginsTest {
    @TempDir
    Path tmp;

    private static ModuleLayer layerWith(Path... jars) {
        ModuleLayer boot = ModuleLayer.boot();
        ModuleFinder finder = ModuleFinder.of(jars);
        Set<String> roots = new java.util.HashSet<>();
        finder.findAll().forEach(r -> roots.add(r.descriptor().name()));
        Configuration cf = boot.configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
        return boot.defineModulesWithOneLoader(cf, PluginsTest.class.getClassLoader());
    }

    @Test
    void engineJarIsFoundOnTheModulePath() {
        Path jar = PluginJars.engineJar(tmp, "acme.engine", "AcmeEngine", "acme");
        Plugins plugins = Plugins.discover(layerWith(jar));
        Engine e = plugins.engine("acme");
        assertEquals("acme.engine.AcmeEngine", e.getClass().getName());
        assertEquals("acme.engine", e.getClass().getModule().getName());
    }

    @Test
    void engineJarIsFoundOnTheClassPath() throws Exception {
        Path jar = PluginJars.engineJar(tmp, "acme.cp", "ClassPathEngine", "acme-cp");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
            Engine e = Plugins.discover(loader).engine("acme-cp");
            assertEquals("acme.cp.ClassPathEngine", e.getClass().getName());
            assertTrue(!e.getClass().getModule().isNamed(), "loaded from the class path, in the unnamed module");
        }
    }

    @Test
    void twoPluginsWithOneNameAreAnErrorNamingBoth() {
        Path a = PluginJars.engineJar(tmp, "one.engine", "OneEngine", "twin");
        Path b = PluginJars.engineJar(tmp, "two.engine", "TwoEngine", "twin");
        PluginException e = assertThrows(PluginException.class, () -> Plugins.discover(layerWith(a, b)));
        assertTrue(e.getMessage().contains("two engine plugins are named 'twin'"), e.getMessage());
        assertTrue(e.getMessage().contains("one.engine.OneEngine (module one.engine)"), e.getMessage());
        assertTrue(e.getMessage().contains("two.engine.TwoEngine (module two.engine)"), e.getMessage());
    }

    @Test
    void absentPluginListsWhatWasFound() {
        Path jar = PluginJars.engineJar(tmp, "acme.engine", "AcmeEngine", "acme");
        PluginException e = assertThrows(PluginException.class, () -> Plugins.discover(layerWith(jar)).engine("tpu"));
        assertTrue(e.getMessage().startsWith("no engine named 'tpu'; found: "), e.getMessage());
        assertTrue(e.getMessage().contains("acme"), e.getMessage());
    }

    @Test
    void methodJarIsFoundOnTheModulePathAndASubsetCanBeRetained() {
        Path jar = PluginJars.methodJar(tmp, "acme.method", "HeadCounter", "acme-count");
        Plugins plugins = Plugins.discover(layerWith(jar));
        Method<?> m = plugins.method("acme-count");
        assertEquals("acme.method.HeadCounter", m.getClass().getName());
        assertEquals("acme.method.HeadCounter$Config", m.configType().getName());
        Plugins only = plugins.retain(java.util.Set.of("acme-count"));
        assertEquals(java.util.Set.of("acme-count"), only.methods().keySet());
        assertTrue(only.engines().isEmpty() && only.evaluators().isEmpty());
        PluginException e = assertThrows(PluginException.class, () -> plugins.retain(java.util.Set.of("nope")));
        assertTrue(e.getMessage().startsWith("no plugin named 'nope'; found ["), e.getMessage());
    }
}
