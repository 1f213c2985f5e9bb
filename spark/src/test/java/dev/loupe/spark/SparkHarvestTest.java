package dev.loupe.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.Progress;
import dev.loupe.data.Corpus;
import dev.loupe.data.TokenWindows;
import dev.loupe.data.TokenizerPolicy;
import dev.loupe.method.transcoder.ActivationHarvest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distributed harvest on local[2] against the single-machine one, row for row (bitwise). */
class SparkHarvestTest {
    private static final ModelRef EMBEDDED = new ModelRef(null, "djl", "cpu");
    private static JavaSparkContext sc;
    @TempDir
    static Path tmp;
    private static Path corpus;

    @BeforeAll
    static void start() throws Exception {
        sc = LoupeSpark.start("local[2]", 3);
        corpus = SparkFixtures.corpus(tmp, 11);
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    private static HarvestJob job(TokenizerPolicy policy, long tokens, int partitions, Path out, int fault) {
        return HarvestJob.builder(EMBEDDED, corpus.toString(), "blocks.1.ln2.hook_out", "blocks.1.hook_mlp_out",
                out.toString()).policy(policy).tokens(tokens).shardTokens(300).partitions(partitions)
                .faultPartition(fault).build();
    }

    private static Path single(TokenizerPolicy policy, long tokens, Path out) {
        Model m = EMBEDDED.model();
        try (TokenWindows w = new TokenWindows(m.tokenizer(), Corpus.open(corpus, null),
                policy.resolve(m.spec().nCtx()))) {
            ActivationHarvest.run(m, HookPoint.parse("blocks.1.ln2.hook_out"), HookPoint.parse("blocks.1.hook_mlp_out"),
                    w, tokens, 1000, out, Progress.NONE);
        }
        return out;
    }

    private static void assertSameRows(Path expected, Path actual) {
        float[][] e = SparkFixtures.rows(expected);
        float[][] a = SparkFixtures.rows(actual);
        assertEquals(ActivationHarvest.open(expected).tokens(), ActivationHarvest.open(actual).tokens());
        assertArrayEquals(e[0], a[0], 0f, "x rows");
        assertArrayEquals(e[1], a[1], 0f, "y rows");
        assertTrue(HarvestDiff.of(expected, actual).identical(), "compare agrees");
    }

    @Test
    void bosPerDocumentConsecutiveWindowsEqualTheSingleMachineHarvest() {
        TokenizerPolicy p = new TokenizerPolicy(32, 0, TokenizerPolicy.Bos.DOCUMENT);
        ActivationHarvest h = SparkHarvest.run(sc, job(p, 2000, 3, tmp.resolve("doc-spark"), -1));
        assertEquals(2000, h.tokens());
        assertTrue(h.shards().size() >= 3, "shards " + h.shards());
        assertSameRows(single(p, 2000, tmp.resolve("doc-single")), tmp.resolve("doc-spark"));
        assertEquals(ActivationHarvest.open(tmp.resolve("doc-single")).model(), h.model());
    }

    @Test
    void bosPerWindowOverlappingWindowsEqualTheSingleMachineHarvest() {
        TokenizerPolicy p = new TokenizerPolicy(24, 10, TokenizerPolicy.Bos.WINDOW);
        SparkHarvest.run(sc, job(p, 1777, 4, tmp.resolve("win-spark"), -1));
        assertSameRows(single(p, 1777, tmp.resolve("win-single")), tmp.resolve("win-spark"));
    }

    @Test
    void aCorpusShorterThanTheBudgetIsHarvestedWhole() {
        TokenizerPolicy p = new TokenizerPolicy(64, 0, TokenizerPolicy.Bos.NONE);
        ActivationHarvest h = SparkHarvest.run(sc, job(p, 10_000_000, 2, tmp.resolve("all-spark"), -1));
        assertTrue(h.tokens() < 10_000_000 && h.tokens() > 1000, "rows " + h.tokens());
        assertSameRows(single(p, 10_000_000, tmp.resolve("all-single")), tmp.resolve("all-spark"));
    }

    @Test
    void aTaskKilledMidHarvestIsRetriedWithoutDuplicateOrMissingRows() throws Exception {
        TokenizerPolicy p = new TokenizerPolicy(32, 0, TokenizerPolicy.Bos.DOCUMENT);
        Path out = tmp.resolve("fault-spark");
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        sc.sc().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    failed.incrementAndGet();
                }
            }
        });
        ActivationHarvest h = SparkHarvest.run(sc, job(p, 2500, 3, out, 1));
        for (int i = 0; i < 100 && failed.get() == 0; i++) {
            Thread.sleep(50);
        }
        assertEquals(1, failed.get(), "one task attempt failed (the injected fault) and was retried");
        assertSameRows(single(p, 2500, tmp.resolve("fault-single")), out);
        Set<String> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
        Set<String> expected = new HashSet<>(h.shards());
        expected.add("manifest.json");
        assertEquals(expected, files, "the folder holds the manifest and the shards it lists, nothing else");
    }

    @Test
    void aSecondHarvestIntoTheFolderReplacesTheFirst() {
        TokenizerPolicy p = new TokenizerPolicy(32, 0, TokenizerPolicy.Bos.DOCUMENT);
        Path out = tmp.resolve("again");
        SparkHarvest.run(sc, job(p, 2000, 3, out, -1));
        ActivationHarvest second = SparkHarvest.run(sc, job(p, 900, 2, out, -1));
        HarvestDiff shorter = HarvestDiff.of(single(p, 2000, tmp.resolve("again-single")), out);
        assertTrue(!shorter.identical() && shorter.firstDiff() < 0 && shorter.rows() == 900,
                "a prefix of the same rows, shorter: " + shorter);
        assertEquals(900, ActivationHarvest.open(out).tokens());
        assertEquals(second.shards().size() + 1, out.toFile().list().length);
    }

    @Test
    void aCorpusAndAnOutputBehindAHadoopUriGiveTheSameRows() {
        TokenizerPolicy p = new TokenizerPolicy(32, 0, TokenizerPolicy.Bos.DOCUMENT);
        Path out = tmp.resolve("uri-spark");
        String scheme = OtherSchemeFileSystem.SCHEME + "://";
        HarvestJob viaUri = HarvestJob.builder(EMBEDDED, scheme + corpus, "blocks.1.ln2.hook_out",
                "blocks.1.hook_mlp_out", scheme + out).policy(p).tokens(1500).shardTokens(300).partitions(2).build();
        assertEquals(null, Storage.at(viaUri.corpus()).localPath(), "taken as a remote filesystem");
        SparkHarvest.run(sc, viaUri);
        assertSameRows(single(p, 1500, tmp.resolve("uri-single")), out);
    }

    @Test
    void badInputIsAOneLineErrorNamingIt() {
        TokenizerPolicy p = new TokenizerPolicy(32, 0, TokenizerPolicy.Bos.DOCUMENT);
        HarvestJob missing = HarvestJob.builder(EMBEDDED, tmp.resolve("nope").toString(), "blocks.1.ln2.hook_out",
                "blocks.1.hook_mlp_out", tmp.resolve("x").toString()).policy(p).tokens(100).build();
        LoupeException e = assertThrows(LoupeException.class, () -> SparkHarvest.run(sc, missing));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("no such corpus"), e.getMessage());
        HarvestJob hook = HarvestJob.builder(EMBEDDED, corpus.toString(), "blocks.9.ln2.hook_out",
                "blocks.1.hook_mlp_out", tmp.resolve("y").toString()).policy(p).tokens(100).build();
        e = assertThrows(LoupeException.class, () -> SparkHarvest.run(sc, hook));
        assertTrue(e.getMessage().contains("blocks.9.ln2.hook_out"), e.getMessage());
    }

    @Test
    void aLocalPathMayHoldWhatAUriMayNot() throws Exception {
        Path odd = Files.createDirectories(tmp.resolve("odd name #1 100%"));
        Files.writeString(odd.resolve("a.txt"), "x");
        Storage s = Storage.at(odd.toString());
        assertEquals(odd.toAbsolutePath(), s.localPath());
        assertEquals(1, s.files().size());
        LoupeException e = assertThrows(LoupeException.class, () -> Storage.at("hdfs://nn/a b"));
        assertTrue(e.getMessage().startsWith("hdfs://nn/a b: not a URI"), e.getMessage());
    }

    @Test
    void storageListsAFolderAsTheCorpusReadsIt() {
        List<String> viaHadoop = Storage.at(corpus.toUri().toString()).files().stream()
                .map(s -> Path.of(java.net.URI.create(s.uri())).toString()).toList();
        List<String> viaCorpus = Corpus.open(corpus, null).files().stream().map(Path::toString).toList();
        assertEquals(viaCorpus, viaHadoop);
    }
}
