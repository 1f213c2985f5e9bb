package dev.loupe.method.transcoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import dev.loupe.toymodel.EmbeddedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Harvest → shuffled buffer → training with checkpoints → resume, on the embedded model's last MLP. */
class TrainingPipelineTest {
    private static Model model;
    @TempDir
    static Path tmp;
    private static ActivationHarvest harvest;

    @BeforeAll
    static void harvest() {
        model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()));
        harvest = ActivationHarvest.run(model, 3, windows(1), 3000, 1100, tmp.resolve("acts"), Progress.NONE);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Random token windows of 32 tokens starting with BOS. */
    static Iterator<int[]> windows(long seed) {
        return windows(model, seed);
    }

    /** Random token windows of 32 tokens of {@code m}'s vocabulary, starting with its BOS. */
    static Iterator<int[]> windows(Model m, long seed) {
        Random r = new Random(seed);
        int vocab = m.spec().dVocab();
        int bos = m.tokenizer().bosId().orElse(0);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public int[] next() {
                int[] w = new int[32];
                w[0] = bos;
                for (int i = 1; i < w.length; i++) {
                    w[i] = r.nextInt(vocab);
                }
                return w;
            }
        };
    }

    @Test
    void harvestWritesShardsOfTheModelsActivationsAndAManifest() {
        assertEquals(3000, harvest.tokens());
        assertEquals(3, harvest.shards().size());
        String run = harvest.shards().get(0).replaceAll("shard-([0-9a-f]+)-\\d+\\.safetensors", "$1");
        assertEquals(List.of("shard-" + run + "-00000.safetensors", "shard-" + run + "-00001.safetensors",
                "shard-" + run + "-00002.safetensors"), harvest.shards());
        ActivationHarvest reopened = ActivationHarvest.open(harvest.dir());
        assertEquals(harvest.hookIn(), reopened.hookIn());
        assertEquals("blocks.3.hook_mlp_out", reopened.hookOut().name());
        int[] first = windows(1).next();
        HookPoint in = HookPoint.parse("blocks.3.ln2.hook_out");
        RunResult r = model.run(RunRequest.of(first).withCache(in));
        try (var shard = dev.loupe.io.SafetensorsFile.open(harvest.dir().resolve(harvest.shards().get(0)))) {
            Tensor x = shard.tensor("x");
            assertEquals(1100, x.size(0));
            assertEquals(0, x.select(0).maxAbsDiff(r.activation(in).select(0).select(1)), 1e-6,
                    "row 0 is the first window's position 1 (position 0, BOS, is skipped)");
        }
    }

    @Test
    void aMissingManifestIsAOneLineError() {
        LoupeException e = assertThrows(LoupeException.class, () -> ActivationHarvest.open(tmp.resolve("nothing")));
        assertTrue(e.getMessage().endsWith("no manifest.json (expected a folder written by 'loupe transcoder harvest')"));
    }

    @Test
    void theBufferIsDeterministicAndSkippingReplaysTheStream() {
        ActivationBuffer a = new ActivationBuffer(harvest, 1000, 5);
        List<Tensor> batches = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            batches.add(a.next(100)[0]);
        }
        ActivationBuffer b = new ActivationBuffer(harvest, 1000, 5);
        b.skip(7, 100);
        assertEquals(batches.get(7), b.next(100)[0]);
        assertTrue(batches.get(0).maxAbsDiff(batches.get(1)) > 0);
        LoupeException e = assertThrows(LoupeException.class, () -> new ActivationBuffer(harvest, 100, 1).next(60));
        assertEquals("activation buffer: a batch of 60 rows needs a buffer of at least 120 rows, got 100", e.getMessage());
    }

    @Test
    void aRunStoppedAfterACheckpointAndResumedEndsWhereTheUninterruptedRunEnds() throws Exception {
        TranscoderTraining.Config c = new TranscoderTraining.Config(2, 1.0, 1e-3, 10, 60, 128, 1024, 1000, true, 20, 3);
        TranscoderTraining.Result whole = TranscoderTraining.train(model, harvest, c, tmp.resolve("whole"), false,
                Progress.NONE);
        Path out = tmp.resolve("stopped");
        Progress killAt45 = (task, done, total, detail) -> {
            if (done == 45) {
                throw new IllegalStateException("killed");
            }
        };
        assertThrows(IllegalStateException.class, () -> TranscoderTraining.train(model, harvest,
                new TranscoderTraining.Config(2, 1.0, 1e-3, 10, 60, 128, 1024, 1000, true, 20, 3), out, false, killAt45));
        assertTrue(Files.isRegularFile(out.resolve(TranscoderTraining.CHECKPOINT)));
        TranscoderTraining.Result resumed = TranscoderTraining.train(model, harvest, c, out, true, Progress.NONE);
        assertEquals(40, resumed.resumedFrom(), "the last checkpoint before the stop");
        double a = whole.curve().get(whole.curve().size() - 1).mse();
        double b = resumed.curve().get(resumed.curve().size() - 1).mse();
        assertEquals(a, b, 0.01 * a, "final mse within 1%");
        assertArrayEquals(whole.transcoder().wEnc().toArray(), resumed.transcoder().wEnc().toArray(), 1e-5f);
        assertEquals(whole.curve().size(), resumed.curve().size());
        Transcoder reread = TranscoderFile.read(out);
        assertEquals(resumed.transcoder().saeLensForm(), reread);
        LoupeException e = assertThrows(LoupeException.class, () -> TranscoderTraining.train(model, harvest,
                new TranscoderTraining.Config(4, 1.0, 1e-3, 10, 60, 128, 1024, 1000, true, 20, 3), out, true,
                Progress.NONE));
        assertTrue(e.getMessage().contains("checkpoint of a run with other settings"), e.getMessage());
    }

    @Test
    void metricsOfATranscoderThatPredictsTheMeanExplainNoVariance() {
        List<int[]> text = new ArrayList<>();
        Iterator<int[]> w = windows(9);
        for (int i = 0; i < 8; i++) {
            text.add(w.next());
        }
        HookPoint out = HookPoint.parse("blocks.3.hook_mlp_out");
        RunResult r = model.run(new RunRequest(text, RunRequest.Padding.RIGHT, java.util.Set.of(out), List.of(),
                RunRequest.LogitsMode.NONE));
        int d = model.spec().dModel();
        float[] mean = new float[d];
        int n = 0;
        for (int b = 0; b < text.size(); b++) {
            for (int p = 1; p < 32; p++) {
                float[] y = r.activation(out).select(b).select(p).toArray();
                for (int k = 0; k < d; k++) {
                    mean[k] += y[k];
                }
                n++;
            }
        }
        for (int k = 0; k < d; k++) {
            mean[k] /= n;
        }
        int f = 16;
        Transcoder t = new Transcoder(HookPoint.parse("blocks.3.ln2.hook_out"), out, "test",
                Tensor.zeros(d, f), Tensor.zeros(f), Tensor.zeros(f, d), Tensor.zeros(d), Tensor.vector(mean));
        TranscoderMetrics m = TranscoderMetrics.evaluate(model, t, text);
        assertEquals(8 * 31, m.tokens());
        assertEquals(0, m.l0(), 0);
        assertEquals(1, m.deadFraction(), 0);
        assertEquals(0, m.explainedVariance(), 1e-4);
        assertTrue(m.klDivWithSae() > 0, "splicing in a constant changes the next-token distribution");
        assertEquals((m.ceZeroAblated() - m.ceWithTranscoder()) / (m.ceZeroAblated() - m.ceClean()), m.ceLossScore(),
                1e-12);
    }
}
