package dev.loupe.app.plugins;

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

    /**
     * A third-party intervention kind {@code kindName}: x ↦ −x at the positions it selects (what {@code scale} with
     * factor −1 does), a record {@code Negate(hook, positions)} named by an {@code InterventionKind} service.
     */
    public static Path interventionKindJar(Path workDir, String module, String kindName) {
        String record = "public record Negate(HookPoint hook, Positions positions) implements "
                + "dev.loupe.api.intervention.Intervention.Extension {\n"
                + "  public String kind() { return \"" + kindName + "\"; }\n"
                + "  public Tensor apply(Tensor value) { return value.scale(-1); }\n"
                + "  public dev.loupe.api.intervention.Intervention withPositions(Positions p) {\n"
                + "    return new Negate(hook, p);\n  }\n}\n";
        String kind = "public final class NegateKind implements InterventionKind {\n"
                + "  public String name() { return \"" + kindName + "\"; }\n"
                + "  public Class<Negate> type() { return Negate.class; }\n}\n";
        return jar(workDir, module, "InterventionKind", "NegateKind", java.util.Map.of("NegateKind", kind, "Negate",
                record));
    }

    private static Path jar(Path workDir, String module, String service, String className, String body) {
        return jar(workDir, module, service, className, java.util.Map.of(className, body));
    }

    private static Path jar(Path workDir, String module, String service, String className,
                            java.util.Map<String, String> bodies) {
        try {
            Path src = Files.createDirectories(workDir.resolve(module + "-src"));
            String pkg = module;
            Files.writeString(src.resolve("module-info.java"), "module " + module + " {\n requires dev.loupe.api;\n"
                    + " opens " + pkg + ";\n provides dev.loupe.api.spi." + service + " with " + pkg + "." + className
                    + ";\n}\n");
            Path pkgDir = Files.createDirectories(src.resolve(pkg.replace('.', '/')));
            for (java.util.Map.Entry<String, String> c : bodies.entrySet()) {
                Files.writeString(pkgDir.resolve(c.getKey() + ".java"), "package " + pkg + ";\n"
                        + "import dev.loupe.api.*; import dev.loupe.api.spi.*; import java.util.Set;\n" + c.getValue());
            }
            Path classes = Files.createDirectories(workDir.resolve(module + "-classes"));
            String modulePath = location(Engine.class);
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

    /**
     * How a user puts {@code jar} beside Loupe: the two launches (module path with {@code ALL-MODULE-PATH}, and
     * everything on the class path), each the java arguments before Loupe's own.
     */
    public static List<List<String>> launches(Path jar) {
        String modules = System.getProperty("jdk.module.path", "");
        String classes = System.getProperty("java.class.path", "");
        return List.of(
                List.of("--module-path", modules + java.io.File.pathSeparator + jar, "-cp", classes, "--add-modules",
                        "ALL-MODULE-PATH", "-m", "dev.loupe.app/" + dev.loupe.app.Main.class.getName()),
                List.of("-cp", String.join(java.io.File.pathSeparator, modules, classes, jar.toString()),
                        dev.loupe.app.Main.class.getName()));
    }

    /** Runs Loupe in a new JVM with {@code launch} ({@link #launches}) and {@code args}: its exit code and output. */
    public static Launched loupe(List<String> launch, List<String> args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(java(), "-Xmx1g", "-Dai.djl.offline=true"));
        command.addAll(launch);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("loupe " + args + " did not finish in 120 s: " + output);
        }
        return new Launched(p.exitValue(), output);
    }

    /** A finished launch. */
    public record Launched(int code, String output) {}

    private static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
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
