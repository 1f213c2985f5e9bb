package dev.loupe.spark.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * A job's progress on standard error, one line a stage: tasks finished of the stage's tasks, and failed attempts
 * (which Spark retries). What {@code loupe spark} shows while executors work.
 */
final class TaskProgress extends SparkListener {
    private final PrintWriter err;
    private final Map<Integer, Integer> tasks = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> done = new ConcurrentHashMap<>();
    private final AtomicInteger failed = new AtomicInteger();

    TaskProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
        tasks.put(submitted.stageInfo().stageId(), submitted.stageInfo().numTasks());
        done.put(submitted.stageInfo().stageId(), new AtomicInteger());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!end.taskInfo().successful()) {
            failed.incrementAndGet();
            return;
        }
        AtomicInteger n = done.get(end.stageId());
        if (n != null) {
            print(end.stageId(), n.incrementAndGet(), false);
        }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted completed) {
        int stage = completed.stageInfo().stageId();
        AtomicInteger n = done.get(stage);
        print(stage, n == null ? 0 : n.get(), true);
    }

    private synchronized void print(int stage, int finished, boolean last) {
        err.printf("\rspark: stage %d: %d/%d tasks%s%s", stage, finished, tasks.getOrDefault(stage, 0),
                failed.get() > 0 ? " (" + failed.get() + " failed attempts retried)" : "", last ? "\n" : "");
        err.flush();
    }
}
