package dev.loupe.app.cli;

import dev.loupe.api.spi.Progress;
import java.io.PrintWriter;

/** Draws progress on one terminal line: a bar, counts, elapsed time, ETA and the latest message. */
final class ProgressBar implements Progress {
    private final PrintWriter out;
    private final long start = System.nanoTime();
    private String task = "";

    ProgressBar(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void update(String name, long done, long total, String message) {
        if (!name.equals(task) && !task.isEmpty()) {
            out.println();
        }
        task = name;
        double frac = total > 0 ? (double) done / total : 0;
        int filled = (int) Math.round(frac * 30);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = frac > 0 ? elapsed / frac - elapsed : 0;
        out.printf("\r%-14s [%s%s] %d/%d %s elapsed %s eta %s", name, "#".repeat(filled), ".".repeat(30 - filled),
                done, total, message, clock(elapsed), clock(eta));
        if (done >= total) {
            out.println();
            task = "";
        }
        out.flush();
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
