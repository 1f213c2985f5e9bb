package dev.loupe.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RandomWeights;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Progress;
import dev.loupe.engine.djl.DjlEngine;
import dev.loupe.eval.toy.ToyCorpus;
import dev.loupe.eval.toy.ToyTraining;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.hf.HfTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The toy-world training pipeline on a tiny model: a few hundred steps drive the loss well down. */
class ToyTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void lossFallsOnTheToyCorpus() {
        List<String> vocab = ToyWorld.vocabulary(List.of());
        ToyWorld.writeTokenizer(tmp, vocab);
        HfTokenizer tok = HfTokenizer.load(tmp.resolve("tokenizer.json"));
        assertEquals(vocab.size(), tok.vocabSize());
        ModelSpec tiny = new ModelSpec("gpt2", 1, 48, 4, 4, 12, 96, vocab.size(), 64, ModelSpec.NormKind.LAYER_NORM,
                1e-5, ModelSpec.PositionalKind.LEARNED, 0, 0, ModelSpec.Activation.GELU, false, false, false);
        try (Model m = new DjlEngine().load(new ModelSource.InMemory(tiny, RandomWeights.of(tiny, 1, 0.02), tok))) {
            List<ToyTraining.LossPoint> curve = ToyTraining.train(m, tok, new ToyCorpus(2, List.of(), 0),
                    new ToyTraining.Settings(300, 8, 3e-3, 30, 2, 0), Progress.NONE);
            double first = curve.get(0).loss();
            double last = curve.get(curve.size() - 1).loss();
            assertTrue(first > 4.5, "starts near log(vocab), got " + first);
            assertTrue(last < first / 2, "loss " + first + " -> " + last);
        }
    }
}
