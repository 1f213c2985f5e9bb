package dev.loupe.spark;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelFingerprint;
import dev.loupe.api.Tokenizer;
import dev.loupe.io.AtomicFiles;
import dev.loupe.api.spi.Progress;
import dev.loupe.data.Corpus;
import dev.loupe.data.Documents;
import dev.loupe.data.TokenizerPolicy;
import dev.loupe.method.transcoder.ActivationHarvest;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Activation pairs harvested over a Spark cluster, equal row for row to {@link ActivationHarvest#run} on one machine
 * with the same corpus, model and settings. Stage one tokenises each corpus file in its own task (the same
 * {@link TokenizerPolicy}); the driver lays the files end to end ({@link HarvestPlan}); stage two sends each partition
 * the stretch of stream its windows read, and each partition runs the single-machine harvest on its windows (whole
 * model batches, as one machine runs them) and copies its shards to the output as
 * {@code shard-RUN-pNNNNN-MMMMM.safetensors}, each atomically. A retried task rewrites the same names with the same
 * rows, so retries neither lose nor repeat rows. The driver writes {@code manifest.json} last, listing the shards
 * in row order (partition, then shard), then removes shards no manifest names.
 */
public final class SparkHarvest {
    private static final int BATCH = 16;

    private SparkHarvest() {}

    /** A corpus file, the {@code index}-th of the corpus in reading order. */
    record Split(int index, String uri, boolean inFolder) implements Serializable {}

    record FileTokens(int index, int[] tokens) implements Serializable {}

    record PartitionShards(int partition, List<String> shards, long rows, int dIn, int dOut, String shapes,
                           String weights) implements Serializable {}

    /** Runs {@code job} on {@code sc}; returns the harvest its manifest describes. */
    public static ActivationHarvest run(JavaSparkContext sc, HarvestJob job) {
        Model driverModel = job.model().model();
        HookPoint in = HookPoint.parse(job.hookIn());
        HookPoint out = HookPoint.parse(job.hookOut());
        ActivationHarvest.check(driverModel, in, out);
        Tokenizer tokenizer = driverModel.tokenizer();
        if (tokenizer == null || tokenizer == Tokenizer.missing()) {
            throw new LoupeException("this model has no tokenizer (its folder has no tokenizer.json); a text corpus "
                    + "needs one");
        }
        TokenizerPolicy policy = job.policy().resolve(driverModel.spec().nCtx()).forTokenizer(tokenizer);
        List<Split> splits = splits(job);
        String run = AtomicFiles.newRunId();

        JavaRDD<FileTokens> tokens = sc.parallelize(splits, splits.size())
                .map(s -> tokenize(job, policy, s)).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long[] lengths = tokens.map(t -> (long) t.tokens().length).collect().stream()
                    .mapToLong(Long::longValue).toArray();
            int partitions = job.partitions() > 0 ? job.partitions() : sc.defaultParallelism();
            HarvestPlan plan = HarvestPlan.of(lengths, policy, job.tokens(), partitions, BATCH);
            List<PartitionShards> parts = new ArrayList<>(tokens
                    .flatMapToPair(t -> plan.pieces(t.index(), t.tokens()).stream()
                            .map(e -> new Tuple2<>(e.getKey(), e.getValue())).iterator())
                    .groupByKey(new HashPartitioner(plan.partitions()))
                    .mapPartitionsWithIndex((p, group) -> harvest(job, plan, policy, run, p, group), true)
                    .collect());
            parts.sort(Comparator.comparingInt(PartitionShards::partition));
            return commit(job, in, out, plan, parts);
        } finally {
            tokens.unpersist(false);
        }
    }

    /** The corpus's files in reading order: a local corpus as {@link Corpus} reads it, else the URI's listing. */
    static List<Split> splits(HarvestJob job) {
        Storage corpus = Storage.at(job.corpus());
        List<Split> out = new ArrayList<>();
        if (corpus.localPath() != null) {
            Corpus c = Corpus.open(corpus.localPath(), job.field());
            for (Path f : c.files()) {
                out.add(new Split(out.size(), f.toUri().toString(), c.folder()));
            }
            return out;
        }
        if (!corpus.exists()) {
            throw new LoupeException(job.corpus() + ": no such corpus (expected a text, .jsonl or .parquet file, or a "
                    + "folder of them)");
        }
        boolean folder = corpus.isFolder();
        for (Storage f : folder ? corpus.files() : List.of(corpus)) {
            out.add(new Split(out.size(), f.uri(), folder));
        }
        if (out.isEmpty()) {
            throw new LoupeException(job.corpus() + ": the corpus has no documents");
        }
        return out;
    }

    /** One file's documents as packed-stream tokens (for BOS-per-window each after its separator). */
    static FileTokens tokenize(HarvestJob job, TokenizerPolicy policy, Split split) {
        Tokenizer tokenizer = job.model().model().tokenizer();
        Storage file = new Storage(split.uri());
        Path local = file.fetch();
        int[] buffer = new int[1 << 12];
        int n = 0;
        try (Documents docs = Corpus.documents(local, split.inFolder(), job.field())) {
            while (docs.hasNext()) {
                int[] ids = policy.document(tokenizer, docs.next(), false);
                if (n + ids.length > buffer.length) {
                    buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, n + ids.length));
                }
                System.arraycopy(ids, 0, buffer, n, ids.length);
                n += ids.length;
            }
        } finally {
            if (file.localPath() == null) {
                deleteQuietly(local);
            }
        }
        return new FileTokens(split.index(), java.util.Arrays.copyOf(buffer, n));
    }

    private static Iterator<PartitionShards> harvest(HarvestJob job, HarvestPlan plan, TokenizerPolicy policy,
                                                     String run, int p, Iterator<Tuple2<Integer, Iterable<HarvestPlan.Piece>>> group) {
        List<HarvestPlan.Piece> pieces = new ArrayList<>();
        group.forEachRemaining(g -> g._2().forEach(pieces::add));
        if (pieces.isEmpty()) {
            return java.util.Collections.emptyIterator();
        }
        Model model = job.model().model();
        int[] slice = plan.assemble(p, pieces);
        long start = plan.span(p)[0];
        int bos = model.tokenizer().bosId().orElse(-1);
        Iterator<int[]> windows = LongStream.range(plan.firstWindow(p), plan.endWindow(p))
                .mapToObj(k -> policy.window(slice, start, k, bos)).iterator();
        Path tmp = tempFolder(p);
        try {
            ActivationHarvest h = ActivationHarvest.run(model, HookPoint.parse(job.hookIn()),
                    HookPoint.parse(job.hookOut()), windows, plan.rows(p), job.shardTokens(), tmp, Progress.NONE);
            Storage out = Storage.at(job.out());
            List<String> names = new ArrayList<>();
            for (String shard : h.shards()) {
                String name = String.format("shard-%s-p%05d-%05d.safetensors", run, p, names.size());
                out.put(tmp.resolve(shard), name);
                names.add(name);
                TaskContext task = TaskContext.get();
                if (p == job.faultPartition() && task != null && task.attemptNumber() == 0) {
                    throw new IllegalStateException("injected fault: partition " + p + ", attempt 0, after shard "
                            + name);
                }
            }
            return List.of(new PartitionShards(p, names, h.tokens(), h.dIn(), h.dOut(), h.model().shapes(),
                    h.model().weights())).iterator();
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static ActivationHarvest commit(HarvestJob job, HookPoint in, HookPoint out, HarvestPlan plan,
                                            List<PartitionShards> parts) {
        List<String> shards = new ArrayList<>();
        long rows = 0;
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).partition() != i) {
                throw new IllegalStateException("partition " + i + " returned no shards");
            }
            shards.addAll(parts.get(i).shards());
            rows += parts.get(i).rows();
        }
        if (rows != plan.rows()) {
            throw new IllegalStateException("the partitions wrote " + rows + " rows, the plan " + plan.rows());
        }
        PartitionShards first = parts.get(0);
        Storage dir = Storage.at(job.out());
        Path local = dir.localPath();
        ActivationHarvest h = new ActivationHarvest(local != null ? local : Path.of(dir.name()), in, out,
                List.copyOf(shards), rows, first.dIn(), first.dOut(),
                new ModelFingerprint(first.shapes(), first.weights()));
        dir.write(ActivationHarvest.MANIFEST, h.manifestJson());
        for (String name : dir.names("shard-")) {
            if (!shards.contains(name)) {
                dir.delete(name);
            }
        }
        for (String name : dir.names(".shard-")) {
            dir.delete(name);
        }
        return h;
    }

    private static Path tempFolder(int p) {
        try {
            return Files.createTempDirectory("loupe-harvest-p" + p + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path path) {
        try (var walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary left behind is harmless
        }
    }
}
