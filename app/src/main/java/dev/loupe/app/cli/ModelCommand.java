package dev.loupe.app.cli;

import dev.loupe.api.Capability;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.Progress;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.app.MethodConfigs;
import dev.loupe.app.ModelLoader;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every model-using command shares: the model options, picocli's spec (for output), the model loader, and
 * the one way a command runs a method plugin ({@code loupe method run} and the friendly front-ends alike).
 */
abstract class ModelCommand implements Runnable {
    @Mixin
    ModelOptions options;

    @Spec
    CommandSpec spec;

    @Inject
    ModelLoader loader;

    /**
     * Runs the method plugin {@code name} on {@code m} with {@code fields} over its defaults (the rules of a
     * config file, errors naming this command), writing into {@code out}.
     */
    MethodResult runPlugin(Model m, String name, Map<String, ?> fields, Path out, long seed) {
        return runBound(loader.plugins().method(name), m, fields, out, seed);
    }

    private <C> MethodResult runBound(Method<C> method, Model m, Map<String, ?> fields, Path out, long seed) {
        return runPlugin(method, m, MethodConfigs.of(fields, spec.qualifiedName(), method, m.spec()), out, seed);
    }

    /** Runs {@code method} after checking the engine has what it needs and creating {@code out}. */
    <C> MethodResult runPlugin(Method<C> method, Model m, C config, Path out, long seed) {
        Set<Capability> missing = new TreeSet<>(method.requires());
        missing.removeAll(m.capabilities());
        if (!missing.isEmpty()) {
            throw new LoupeException("method '" + method.name() + "' needs " + missing + ", which engine '"
                    + m.engineName() + "' lacks (try --engine djl)");
        }
        boolean created = Files.notExists(out);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new LoupeException(out + ": cannot create the output folder (" + e.getMessage() + ")");
        }
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = options.json ? ProgressBar.warningsOnly(err) : new ProgressBar(err);
        try {
            return method.run(new MethodContext(m, options.modelName(), out, seed, progress, loader.plugins()), config);
        } catch (RuntimeException e) {
            if (created) {
                removeIfEmpty(out);
            }
            throw e;
        }
    }

    /** A failed run leaves nothing behind: the folder it made goes again when the method wrote nothing in it. */
    private static void removeIfEmpty(Path dir) {
        try {
            Files.delete(dir);
        } catch (IOException notEmptyOrGone) {
            // the method's own files stay for the user to see; a folder already gone needs nothing
        }
    }

    /** With {@code --json} the summary as JSON; else its lines ({@link TextSummary}) and the files written. */
    void print(MethodResult r) {
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(Json.write(r.summary()));
            return;
        }
        if (r.summary() instanceof TextSummary t) {
            t.lines().forEach(w::println);
        } else {
            w.println("method " + r.method() + ": " + new java.util.TreeMap<>(r.metrics()));
        }
        if (!r.artifacts().isEmpty()) {
            w.println("wrote " + String.join(" and ", r.artifacts().stream().map(Path::toString).toList()));
        }
    }
}
