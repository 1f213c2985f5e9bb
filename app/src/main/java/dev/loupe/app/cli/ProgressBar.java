package dev.loupe.app.cli;

import dev.loupe.api.spi.Progress;
import java.io.Console;
import java.io.PrintWriter;

/**
 * Draws progress: on a terminal one line redrawn in place (a bar, counts, elapsed time, ETA and the latest
 * message); elsewhere (a log file, CI) the same line printed once per tenth of the task, so logs stay readable.
 */
public final class ProgressBar implements Progress {
    private final PrintWriter out;
    private final boolean redraw;
    private final long start = System.nanoTime();
    private String task = "";
    private long printedTenth = -1;

    /** A bar on standard error. */
    public static ProgressBar toStandardError() {
        return new ProgressBar(new PrintWriter(System.err, true));
    }

    ProgressBar(PrintWriter out) {
        this(out, onTerminal());
    }

    ProgressBar(PrintWriter out, boolean redraw) {
        this.out = out;
        this.redraw = redraw;
    }

    @Override
    public void update(String name, long done, long total, String message) {
        if (!name.equals(task)) {
            if (redraw && !task.isEmpty()) {
                out.println();
            }
            task = name;
            printedTenth = -1;
        }
        double frac = total > 0 ? Math.min(1, (double) done / total) : 0;
        long tenth = (long) Math.floor(frac * 10);
        boolean finished = done >= total;
        if (!redraw && tenth == printedTenth && !finished) {
            return;
        }
        printedTenth = tenth;
        int filled = (int) Math.round(frac * 30);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = frac > 0 ? elapsed / frac - elapsed : 0;
        String line = String.format("%-14s [%s%s] %d/%d %s elapsed %s eta %s", name, "#".repeat(filled),
                ".".repeat(30 - filled), done, total, message, clock(elapsed), clock(eta));
        if (redraw) {
            out.print("\r" + line);
            if (finished) {
                out.println();
            }
        } else {
            out.println(line);
        }
        if (finished) {
            task = "";
        }
        out.flush();
    }

    /** A warning on its own line, after the bar's line when one is being redrawn. */
    @Override
    public void warn(String message) {
        if (redraw && !task.isEmpty()) {
            out.println();
            task = "";
        }
        out.println("loupe: warning: " + message);
        out.flush();
    }

    /** No bar (for --json), but the warnings still on {@code out}. */
    static Progress warningsOnly(PrintWriter out) {
        return new Progress() {
            @Override
            public void update(String task, long done, long total, String message) { }

            @Override
            public void warn(String message) {
                out.println("loupe: warning: " + message);
                out.flush();
            }
        };
    }

    /** Whether the process talks to a terminal (JDK 22+ says so itself; on 21 a console exists only then). */
    private static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
