package dev.loupe.app.cli;

import java.util.Arrays;

/**
 * Wall-clock timing for the benches that alternate engines in one process: each timed run starts after a short
 * pause, so worker threads still spinning from the run before (ONNX Runtime's intra-op pool spins after each
 * call) are parked and do not take the cores from the next engine.
 */
final class BenchClock {
    private static final long SETTLE_MS = 100;

    private BenchClock() {}

    /** Milliseconds {@code work} took, after the pause. */
    static double time(Runnable work) {
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e6;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
