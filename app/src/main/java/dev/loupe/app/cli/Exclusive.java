package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/** Options that mean nothing beside another one: given together, a one-line error rather than one silently unused. */
final class Exclusive {
    private Exclusive() {}

    /** Refuses each of {@code unused} that the command line gave, since {@code option} (in effect) leaves it unread. */
    static void refuse(CommandSpec spec, String option, String... unused) {
        ParseResult given = spec.commandLine().getParseResult();
        for (String o : unused) {
            if (given != null && given.hasMatchedOption(o)) {
                throw new LoupeException(o + " does not apply with " + option);
            }
        }
    }
}
