package dev.loupe.app.plugins;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.loupe.api.spi.Engine;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Builds, at test time, a plugin jar that Loupe has never seen: an {@link Engine} in its own module with both
 * {@code provides} in module-info and {@code META-INF/services}, as third parties are told to ship it.
 */
public final class PluginJars {
    private PluginJars() {}

    public static Path engineJar(Path workDir, String module, String className, String engineName) {
        return jar(workDir, module, "Engine", className, "public final class " + className + " implements Engine {\n"
                + "  public String name() { return \"" + engineName + "\"; }\n"
                + "  public Set<Capability> capabilities() { return Set.of(); }\n"
                + "  public Model load(ModelSource s, LoadOptions o) { throw new UnsupportedOperationException(); }\n"
                + "}\n");
    }

    /**
     * A third-party method: its own config record (defaults: heads 1), read from JSON like every method's; it
     * writes {@code heads.txt} (the model's heads times {@code heads}) and reports it as the metric {@code heads}.
     */
    public static Path methodJar(Path workDir, String module, String className, String methodName) {
        return jar(workDir, module, "Method", className, "public final class " + className
                + " implements Method<" + className + ".Config> {\n"
                + "  public record Config(int heads) {}\n"
                + "  public String name() { return \"" + methodName + "\"; }\n"
                + "  public String description() { return \"counts heads (a third-party example)\"; }\n"
                + "  public Class<Config> configType() { return Config.class; }\n"
                + "  public Config defaults(ModelSpec spec) { return new Config(1); }\n"
                + "  public MethodResult run(MethodContext c, Config config) {\n"
                + "    double heads = (double) c.model().spec().nHeads() * config.heads();\n"
                + "    java.nio.file.Path f = c.outputDir().resolve(\"heads.txt\");\n"
                + "    try { java.nio.file.Files.writeString(f, String.valueOf((long) heads)); }\n"
                + "    catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }\n"
                + "    return new MethodResult(name(), java.util.Map.of(\"heads\", heads), \"counted\", java.util.List.of(f));\n"
                + "  }\n"
                + "}\n");
    }

    private static Path jar(Path workDir, String module, String service, String className, String body) {
        try {
            Path src = Files.createDirectories(workDir.resolve(module + "-src"));
            String pkg = module;
            Files.writeString(src.resolve("module-info.java"), "module " + module + " {\n requires dev.loupe.api;\n"
                    + " opens " + pkg + ";\n provides dev.loupe.api.spi." + service + " with " + pkg + "." + className
                    + ";\n}\n");
            Path pkgDir = Files.createDirectories(src.resolve(pkg.replace('.', '/')));
            Files.writeString(pkgDir.resolve(className + ".java"), "package " + pkg + ";\n"
                    + "import dev.loupe.api.*; import dev.loupe.api.spi.*; import java.util.Set;\n" + body);
            Path classes = Files.createDirectories(workDir.resolve(module + "-classes"));
            String modulePath = location(Engine.class) + java.io.File.pathSeparator + location(JsonTypeInfo.class);
            ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow(() -> new IllegalStateException("no javac"));
            List<String> args;
            try (Stream<Path> files = Files.walk(src)) {
                args = new java.util.ArrayList<>(List.of("-d", classes.toString(), "--module-path", modulePath));
                files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
            }
            int rc = javac.run(System.out, System.err, args.toArray(String[]::new));
            if (rc != 0) {
                throw new IllegalStateException("javac failed with " + rc);
            }
            Path jar = workDir.resolve(module + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                 Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    put(out, classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
                put(out, "META-INF/services/dev.loupe.api.spi." + service,
                        (pkg + "." + className + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        OutputStream o = out;
        o.write(bytes);
        out.closeEntry();
    }

    private static String location(Class<?> c) {
        try {
            return Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
