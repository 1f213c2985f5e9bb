package dev.loupe.spark;

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
import dev.loupe.dictionary.TranscoderFile;
import dev.loupe.method.transcoder.TranscoderTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 2-dictionary sweep on local[2], one task killed after its first checkpoint, against single-node runs. */
class SparkSweepTest {
    private static final ModelRef EMBEDDED = new ModelRef(null, "djl", "cpu");
    private static final TokenizerPolicy POLICY = new TokenizerPolicy(32, 0, TokenizerPolicy.Bos.DOCUMENT);
    private static JavaSparkContext sc;
    @TempDir
    static Path tmp;
    private static Path corpus;
    private static Path heldOut;
    private static Path activations;

    @BeforeAll
    static void start() throws Exception {
        sc = LoupeSpark.start("local[2]", 3);
        corpus = SparkFixtures.corpus(tmp.resolve("train"), 5);
        heldOut = SparkFixtures.corpus(tmp.resolve("held-out"), 6);
        activations = tmp.resolve("layer1");
        Model m = EMBEDDED.model();
        try (TokenWindows w = new TokenWindows(m.tokenizer(), Corpus.open(corpus, null), POLICY.resolve(64))) {
            ActivationHarvest.run(m, HookPoint.parse("blocks.1.ln2.hook_out"), HookPoint.parse("blocks.1.hook_mlp_out"),
                    w, 4000, 2000, activations, Progress.NONE);
        }
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    private static SweepJob job(Path out, String fault) {
        return job(out, true, List.of(0.5, 3.0), 1, 120, fault);
    }

    private static SweepJob job(Path out, boolean ghostGrads, List<Double> l1s, int replicas, int steps,
                                String fault) {
        TranscoderTraining.Config base = new TranscoderTraining.Config(2, 0, 1e-3, 10, steps, 256, 2048, 1000,
                ghostGrads, Math.min(50, steps / 2), 5);
        return SweepJob.builder(EMBEDDED, out.toString()).activations(List.of(activations.toString()))
                .expansions(List.of(2)).l1s(l1s).training(base).heldOut(heldOut.toString(), null, POLICY)
                .evalWindows(8)
                .replicas(replicas).faultDictionary(fault).build();
    }

    /**
     * Optional item of the Spark issue: one dictionary trained by two barrier tasks, gradients averaged each step;
     * replica 1 fails after the first checkpoint and the restarted stage continues from it.
     */
    @Test
    void aDictionaryTrainedDataParallelByTwoTasksEqualsTheSingleNodeRun() {
        int steps = 24;   // Spark's barrier exchange costs about 0.8 s a step here
        SweepJob parallel = job(tmp.resolve("parallel"), false, List.of(1.0), 2, steps, "layer1-x2-l1_1.0-relu");
        SweepRow swept = SparkSweep.run(sc, parallel).get(0);
        assertEquals(12, swept.resumedFromStep(), "replica 1 failed after the step-12 checkpoint; the stage restarted");
        SweepRow single = SparkSweep.train(job(tmp.resolve("parallel-single"), false, List.of(1.0), 1, steps, null),
                parallel.dictionaries().get(0));
        assertEquals(single.l0(), swept.l0(), 1e-3 * single.l0(), "l0");
        assertEquals(single.mse(), swept.mse(), 1e-3 * single.mse(), "mse");
        assertEquals(single.explainedVariance(), swept.explainedVariance(), 1e-4, "explained variance");
        assertEquals(single.ceLossScore(), swept.ceLossScore(), 1e-3, "ce_loss_score");
        assertEquals(256, TranscoderFile.read(tmp.resolve("parallel").resolve(swept.name())).dSae());
    }

    @Test
    void aPartCrossesTheBarrierIntact() {
        var part = new dev.loupe.api.training.SparseMlpTrainer.Part(List.of(dev.loupe.api.Tensor.of(
                new float[] {1, -2.5f, 3, 4e-7f, 5, 6}, 2, 3), dev.loupe.api.Tensor.vector(new float[] {7, 8})),
                new float[] {0, 3}, 42, new dev.loupe.api.training.SparseMlpTrainer.Step(0.1, 0.2, 0.3, 0.6, 1.5, 4));
        var back = BarrierReplicas.decode(BarrierReplicas.encode(part));
        assertEquals(2, back.gradients().size());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 3}, back.gradients().get(0).shape());
        org.junit.jupiter.api.Assertions.assertArrayEquals(part.gradients().get(0).toArray(),
                back.gradients().get(0).toArray(), 0f);
        org.junit.jupiter.api.Assertions.assertArrayEquals(part.fired(), back.fired(), 0f);
        assertEquals(42, back.rows());
        assertEquals(part.losses(), back.losses());
    }

    @Test
    void eachSweptDictionaryEqualsASingleNodeRunAndATaskKilledMidTrainingResumes() throws Exception {
        Path out = tmp.resolve("sweep");
        SweepJob job = job(out, "layer1-x2-l1_3.0-relu");
        List<SweepRow> rows = SparkSweep.run(sc, job);
        assertEquals(2, rows.size());
        assertEquals(0, rows.get(0).resumedFromStep());
        assertEquals(50, rows.get(1).resumedFromStep(), "the killed task resumed from its checkpoint at step 50");
        assertEquals(1, rows.stream().filter(SweepRow::best).count(), "one best for the one layer");
        for (int i = 0; i < rows.size(); i++) {
            SweepJob.Dictionary d = job.dictionaries().get(i);
            SweepRow single = SparkSweep.train(job(tmp.resolve("single"), null), d);
            SweepRow swept = rows.get(i);
            assertEquals(single.l0(), swept.l0(), 1e-9, d.name() + " l0");
            assertEquals(single.mse(), swept.mse(), 1e-9, d.name() + " mse");
            assertEquals(single.explainedVariance(), swept.explainedVariance(), 1e-9, d.name() + " explained variance");
            assertEquals(single.ceLossScore(), swept.ceLossScore(), 1e-9, d.name() + " ce_loss_score");
            assertEquals(single.klDivWithSae(), swept.klDivWithSae(), 1e-9, d.name() + " kl");
            assertEquals(single.deadFraction(), swept.deadFraction(), 0, d.name() + " dead fraction");
            assertEquals(256, swept.dSae());
            assertTrue(TranscoderFile.read(out.resolve(d.name())).dSae() == 256, "a SAELens folder per dictionary");
        }
        assertTrue(rows.get(0).l0() > rows.get(1).l0(), "a larger λ gives a sparser dictionary: " + rows);
        List<SweepRow> table = SweepTable.read(out.resolve("sweep.json"));
        assertEquals(rows, table);
        String html = Files.readString(out.resolve("sweep.html"));
        assertTrue(html.contains("layer1-x2-l1_0.5-relu") && html.contains("class=\"best\""), html);
    }

    @Test
    void theBestOfEachLayerIsMarkedByTheChosenMetric() {
        SweepRow a = new SweepRow("a", 0, "i", "o", "relu", 2, 8, 1, 1, 0, 5, 0.2, 0.9, 0.8, 0.1, 0, 10, false);
        SweepRow b = new SweepRow("b", 0, "i", "o", "relu", 2, 8, 2, 1, 0, 2, 0.1, 0.8, 0.9, 0.2, 0, 10, false);
        SweepRow c = new SweepRow("c", 1, "i", "o", "relu", 2, 8, 1, 1, 0, 2, 0.3, 0.5, 0.1, 0.2, 0, 10, false);
        assertEquals(List.of(false, true, true), SweepTable.markBest(List.of(a, b, c), "ce_loss_score").stream()
                .map(SweepRow::best).toList());
        assertEquals(List.of(true, false, true), SweepTable.markBest(List.of(a, b, c), "explained_variance").stream()
                .map(SweepRow::best).toList());
        assertEquals(List.of(false, true, true), SweepTable.markBest(List.of(a, b, c), "mse").stream()
                .map(SweepRow::best).toList());
    }

    @Test
    void aKindTheTrainerCannotTrainIsRefusedByName() {
        SweepJob.Builder b = SweepJob.builder(EMBEDDED, "o").activations(List.of("a")).heldOut("c", null, POLICY);
        LoupeException e = assertThrows(LoupeException.class, () -> b.architectures(List.of("topk")).build());
        assertTrue(e.getMessage().startsWith("--architecture topk:"), e.getMessage());
        e = assertThrows(LoupeException.class, () -> b.architectures(List.of("relu")).bestBy("l0").build());
        assertTrue(e.getMessage().startsWith("--best-by l0:"), e.getMessage());
    }
}
