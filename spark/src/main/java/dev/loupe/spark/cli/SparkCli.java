package dev.loupe.spark.cli;

import dev.loupe.api.LoupeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code loupe spark harvest|sweep}: Loupe's Spark jobs from the command line, in-process ({@code --master local[N]})
 * or against a cluster ({@code spark://…}, or under {@code spark-submit} with no {@code --master}). Bad input is one
 * line on standard error and exit code 2, as in the rest of Loupe.
 */
@Command(name = "loupe spark", mixinStandardHelpOptions = true,
        description = "Loupe on Apache Spark: distributed activation harvests and dictionary sweeps.",
        subcommands = {HarvestCommand.class, SweepCommand.class, CompareCommand.class})
public final class SparkCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line; returns its exit code (0 ok, 1 internal error, 2 bad input or usage). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new SparkCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            LoupeException bad = badInput(e);
            if (bad != null) {
                line.getErr().println("loupe spark: " + bad.getMessage());
                return 2;
            }
            line.getErr().println("loupe spark: internal error: " + e);
            e.printStackTrace(line.getErr());
            return 1;
        });
        return cli.execute(args);
    }

    /** The user's mistake behind a failure, also when a Spark task met it and the driver rethrew it. */
    static LoupeException badInput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LoupeException l) {
                return l;
            }
        }
        return null;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
