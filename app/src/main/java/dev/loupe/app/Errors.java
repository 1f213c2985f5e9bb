package dev.loupe.app;

import java.io.UncheckedIOException;
import picocli.CommandLine;

/** Prints what went wrong in one line: bad input exits 2 without a stack trace, anything else exits 1. */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        if (ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException) {
            cmd.getErr().println("loupe: " + ex.getMessage());
            return 2;
        }
        cmd.getErr().println("loupe: internal error: " + ex);
        ex.printStackTrace(cmd.getErr());
        return 1;
    }
}
