package dev.loupe.app;

import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code loupe bench}'s refusals (its timings are benchmarks, not tests): options the chosen bench would ignore, and a
 * peer that cannot start or exits (a Python without torch) are one-line errors, exit 2.
 */
class BenchCommandTest {
    @Test
    void peerOptionsNeedComparePeer() {
        CliTest.Result r = loupe("bench", "--python", "/usr/bin/python3");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--checkpoint and --python apply to --compare-peer"), r.err());
    }

    @Test
    void optionsThatWouldBeIgnoredAreRefused() {
        for (String[] args : new String[][] {{"bench", "--prompt-tokens", "8"}, {"bench", "--generate", "--seq", "64"},
                {"bench", "--generate", "--compare-peer"},
                {"bench", "--compare-peer", "--checkpoint", "x", "--layers", "2"}}) {
            CliTest.Result r = loupe(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void aPeerThatCannotRunIsAOneLineError() {
        CliTest.Result missing = loupe("bench", "--compare-peer", "--python", "/nonexistent/python");
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains("--python /nonexistent/python: cannot start it"), missing.err());
        CliTest.Result exits = loupe("bench", "--compare-peer", "--python", "/bin/false");
        assertEquals(2, exits.code(), exits.err());
        assertTrue(exits.err().contains("the peer exited"), exits.err());
        assertEquals(1, exits.err().strip().lines().count(), exits.err());
    }
}
