package dev.loupe.app;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.loupe.app.cli.LoupeCommand;
import dev.loupe.hf.DjlOffline;
import java.io.PrintWriter;
import picocli.CommandLine;

/** The {@code loupe} command: assembles the plugins with Guice and hands the arguments to picocli. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code (0 ok, 1 internal error, 2 bad input or usage). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** {@link #run(String...)} writing to the given streams. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(new LoupeModule(), out, err, args);
    }

    /**
     * The CLI over a custom wiring: e.g. {@code Modules.override(new LoupeModule()).with(yours)} to offer a subset
     * of the installed plugins (see docs/plugins.md).
     */
    public static int run(com.google.inject.Module wiring, PrintWriter out, PrintWriter err, String... args) {
        DjlOffline.ensure();
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (System.getProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda") == null) {
            // DJL warns on every CPU-only machine that it found no CUDA driver.
            System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda", "error");
        }
        if (System.getProperty("guice_bytecode_gen_option") == null) {
            // Generated fast-classes land in an unnamed module that cannot see non-exported packages.
            System.setProperty("guice_bytecode_gen_option", "DISABLED");
        }
        Injector injector = Guice.createInjector(wiring);
        CommandLine cli = new CommandLine(LoupeCommand.class, new GuiceFactory(injector));
        cli.setExecutionExceptionHandler(new Errors());
        cli.setParameterExceptionHandler(Errors::usage);
        cli.setExecutionStrategy(new dev.loupe.app.cli.OptionRanges());
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }
}
