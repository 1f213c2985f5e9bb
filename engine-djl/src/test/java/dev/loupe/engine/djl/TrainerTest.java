package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.RandomWeights;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.training.Trainer;
import dev.loupe.api.training.TrainerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Training a tiny model on a learnable pattern drives its loss down, and the model keeps the new weights. */
class TrainerTest {
    static ModelSpec tiny() {
        return new ModelSpec("gpt2", 2, 32, 4, 4, 8, 64, 20, 32, ModelSpec.NormKind.LAYER_NORM, 1e-5,
                ModelSpec.PositionalKind.LEARNED, 0, 0, ModelSpec.Activation.GELU, false, false, false);
    }

    /** Sequences "a, a+3, a+6, …" mod 20 from a random start: each next token is determined by the previous. */
    static List<int[]> batch(Random rnd) {
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            int start = rnd.nextInt(20);
            int[] s = new int[16];
            for (int t = 0; t < s.length; t++) {
                s[t] = (start + 3 * t) % 20;
            }
            out.add(s);
        }
        return out;
    }

    @Test
    void lossFallsOverAFewHundredSteps() {
        ModelSpec spec = tiny();
        try (Model m = new DjlEngine().load(new ModelSource.InMemory(spec, RandomWeights.of(spec, 3, 0.02), null))) {
            Random rnd = new Random(5);
            List<int[]> probe = batch(new Random(99));
            double before = 0;
            Tensor wBefore = m.weights().get("blocks.0.mlp.W_in");
            try (Trainer trainer = m.trainer(new TrainerConfig(3e-3, 0.9, 0.95, 1e-8, 0.0, 20, 300, 1.0))) {
                before = trainer.loss(probe);
                assertEquals(Math.log(20), before, 0.1, "a fresh model is near-uniform over 20 tokens");
                double first = trainer.step(batch(rnd));
                for (int i = 1; i < 300; i++) {
                    trainer.step(batch(rnd));
                }
                assertEquals(300, trainer.steps());
                double after = trainer.loss(probe);
                assertTrue(after < 0.2, "loss " + first + " -> " + after);
            }
            assertNotEquals(wBefore, m.weights().get("blocks.0.mlp.W_in"));
            int[] seq = {4, 7, 10, 13};
            Tensor logits = m.run(RunRequest.of(seq)).logits();
            assertEquals(16, logits.select(0).select(3).argmax(), "predicts the next term of the pattern");
        }
    }
}
