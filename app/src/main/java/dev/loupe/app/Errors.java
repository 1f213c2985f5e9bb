package dev.loupe.app;

import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Prints what went wrong in one line: bad input, usage errors and asking an engine for what it cannot do, exit 2
 * without a stack trace; anything else exits 1.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        if (ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException
                || ex instanceof UnsupportedOperationException) {
            cmd.getErr().println("loupe: " + ex.getMessage());
            return 2;
        }
        cmd.getErr().println("loupe: internal error: " + ex);
        ex.printStackTrace(cmd.getErr());
        return 1;
    }

    /** A usage error: its one line and where help is, exit 2 (picocli would print the whole usage). */
    static int usage(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String message = String.valueOf(ex.getMessage()).lines().findFirst().orElse("");
        cmd.getErr().println("loupe: " + message + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        return 2;
    }
}
