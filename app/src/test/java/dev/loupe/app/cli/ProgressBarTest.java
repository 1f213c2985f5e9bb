package dev.loupe.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static String run(boolean redraw) {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), redraw);
        for (int i = 1; i <= 100; i++) {
            bar.update("harvest", i, 100, "tokens");
        }
        for (int i = 1; i <= 3; i++) {
            bar.update("train", i, 3, "step");
        }
        return text.toString();
    }

    @Test
    void aLogGetsOneLinePerTenthOfEachTask() {
        String log = run(false);
        assertFalse(log.contains("\r"), log);
        assertEquals(11 + 3, log.lines().count(), log);
        assertTrue(log.lines().toList().get(10).startsWith("harvest        [" + "#".repeat(30) + "] 100/100 tokens"), log);
        assertTrue(log.lines().toList().get(13).contains("3/3 step"), log);
    }

    @Test
    void aTerminalGetsOneRedrawnLinePerTask() {
        String screen = run(true);
        assertEquals(2, screen.chars().filter(c -> c == '\n').count(), screen);
        assertEquals(103, screen.chars().filter(c -> c == '\r').count());
    }
}
