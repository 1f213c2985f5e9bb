package dev.loupe.spark;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.Progress;
import dev.loupe.data.Corpus;
import dev.loupe.data.TokenWindows;
import dev.loupe.method.transcoder.ActivationHarvest;
import dev.loupe.method.transcoder.TranscoderMetrics;
import dev.loupe.method.transcoder.TranscoderTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Many dictionaries at once: one Spark task per dictionary of a {@link SweepJob}, each a normal single-node
 * {@link TranscoderTraining#train} from the shared activations into {@code out/NAME/} with its checkpoints there, so
 * a retried task resumes from the last checkpoint; then {@link TranscoderMetrics} on the held-out text. The driver
 * collects the rows into {@link SweepTable} (written last).
 */
public final class SparkSweep {
    /**
     * Dictionaries in one JVM are trained and scored one at a time: PyTorch's intra-op threads already use the
     * executor's cores, and a training step beside other work on that pool may split its reductions differently,
     * which changes the last bits, and over many steps the dictionary (a sweep row would no longer equal its
     * single-node run; seen once in five runs). A harvest's forward passes need no such care: the conformance kit
     * checks that concurrent runs give what each gives alone.
     */
    private static final Object TRAINING = new Object();

    private SparkSweep() {}

    /** Runs {@code job} on {@code sc}; returns the table's rows, best of each layer marked. */
    public static List<SweepRow> run(JavaSparkContext sc, SweepJob job) {
        List<SweepJob.Dictionary> dictionaries = job.dictionaries();
        if (dictionaries.isEmpty()) {
            throw new LoupeException("the sweep has no dictionary (give --activations, --expansion and --l1)");
        }
        for (String a : job.activations()) {
            ActivationHarvest.open(Path.of(a));
        }
        Corpus.open(Path.of(job.evalCorpus()), job.evalField());
        List<SweepRow> rows = new ArrayList<>();
        if (job.replicas() == 1) {
            rows.addAll(sc.parallelize(dictionaries, dictionaries.size()).map(d -> train(job, d)).collect());
        } else {
            for (SweepJob.Dictionary d : dictionaries) {
                rows.add(trainDataParallel(sc, job, d));
            }
        }
        return SweepTable.write(Path.of(job.out()), rows, job.bestBy());
    }

    /** One dictionary, trained (or resumed) and scored: what a sweep task does, and a single-node run too. */
    public static SweepRow train(SweepJob job, SweepJob.Dictionary d) {
        Model model = job.model().model();
        ActivationHarvest h = ActivationHarvest.open(Path.of(d.activations()));
        TranscoderTraining.Config c = job.config(d);
        Path dir = folder(job, d);
        boolean resume = Files.isRegularFile(dir.resolve(TranscoderTraining.CHECKPOINT));
        TaskContext task = TaskContext.get();
        Progress progress = d.name().equals(job.faultDictionary()) && task != null && task.attemptNumber() == 0
                ? failAfterFirstCheckpoint(d, c) : Progress.NONE;
        synchronized (TRAINING) {
            return score(job, d, model, h, TranscoderTraining.train(model, h, c, dir, resume, progress));
        }
    }

    /** Where a dictionary's checkpoints and SAELens folder go. */
    private static Path folder(SweepJob job, SweepJob.Dictionary d) {
        return Path.of(job.out()).resolve(d.name());
    }

    /** A trained dictionary's row: its settings and its metrics on the held-out windows. */
    private static SweepRow score(SweepJob job, SweepJob.Dictionary d, Model model, ActivationHarvest h,
                                  TranscoderTraining.Result r) {
        return SweepRow.of(d, h, job.config(d), r, TranscoderMetrics.evaluate(model, r.transcoder(),
                evalWindows(model, job)));
    }

    /**
     * One dictionary trained by {@link SweepJob#replicas} tasks of a barrier stage at once
     * ({@link TranscoderTraining#trainDataParallel}, parts exchanged by {@link BarrierReplicas}); replica 0 writes the
     * checkpoints and the folder and scores it. A failed replica fails the stage; Spark starts it again and every
     * replica continues from the last checkpoint. Not under the one-training-per-JVM lock: replicas in one JVM wait
     * on each other.
     */
    static SweepRow trainDataParallel(JavaSparkContext sc, SweepJob job, SweepJob.Dictionary d) {
        int n = job.replicas();
        List<Integer> ranks = java.util.stream.IntStream.range(0, n).boxed().toList();
        scala.reflect.ClassTag<SweepRow> rowTag = scala.reflect.ClassTag$.MODULE$.apply(SweepRow.class);
        org.apache.spark.rdd.RDD<SweepRow> rows = sc.parallelize(ranks, n).rdd().barrier()
                .mapPartitions(new Replica(job, d), false, rowTag);
        // The shuffle makes the barrier stage a map stage, which Spark runs again when a task fails (a failed barrier
        // result stage aborts the job).
        return new org.apache.spark.api.java.JavaRDD<>(rows, rowTag).repartition(1).collect().get(0);
    }

    /** What each task of a data-parallel stage runs (Spark's barrier API is Scala's, hence the Function1). */
    private static final class Replica extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>,
            scala.collection.Iterator<SweepRow>> implements java.io.Serializable {
        private final SweepJob job;
        private final SweepJob.Dictionary d;

        Replica(SweepJob job, SweepJob.Dictionary d) {
            this.job = job;
            this.d = d;
        }

        @Override
        public scala.collection.Iterator<SweepRow> apply(scala.collection.Iterator<Integer> ranks) {
            org.apache.spark.BarrierTaskContext task = org.apache.spark.BarrierTaskContext.get();
            BarrierReplicas replicas = new BarrierReplicas(task, job.replicas());
            Model model = job.model().model();
            ActivationHarvest h = ActivationHarvest.open(Path.of(d.activations()));
            TranscoderTraining.Config c = job.config(d);
            Progress progress = d.name().equals(job.faultDictionary()) && replicas.rank() == 1
                    && task.stageAttemptNumber() == 0 ? failAfterFirstCheckpoint(d, c) : Progress.NONE;
            TranscoderTraining.Result r = TranscoderTraining.trainDataParallel(model, h, c, folder(job, d), replicas,
                    progress);
            List<SweepRow> out = replicas.rank() != 0 ? List.of() : List.of(score(job, d, model, h, r));
            return scala.jdk.javaapi.CollectionConverters.asScala(out.iterator());
        }
    }

    /** The first {@code evalWindows} windows of the held-out corpus. */
    static List<int[]> evalWindows(Model model, SweepJob job) {
        List<int[]> out;
        try (TokenWindows w = TokenWindows.over(model, job.evalCorpus(), job.evalField(), job.evalPolicy())) {
            out = TokenWindows.take(w, job.evalWindows());
        }
        if (out.isEmpty()) {
            throw new LoupeException(job.evalCorpus() + ": too short for one window of held-out text");
        }
        return out;
    }

    /** A progress listener that fails the task at its first report after the first checkpoint was saved. */
    private static Progress failAfterFirstCheckpoint(SweepJob.Dictionary d, TranscoderTraining.Config c) {
        return (stage, done, total, message) -> {
            if (done > c.checkpointEvery()) {
                throw new IllegalStateException("injected fault: dictionary " + d.name() + ", attempt 0, step " + done);
            }
        };
    }
}
