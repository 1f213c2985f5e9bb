package dev.loupe.eval.toy;

import dev.loupe.api.Model;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.spi.Progress;
import dev.loupe.api.training.Trainer;
import dev.loupe.api.training.TrainerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a model on the toy corpus: documents, each preceded by BOS, are packed end to end into windows of the
 * model's context length; each step takes {@code batch} windows.
 */
public final class ToyTraining {
    /**
     * @param steps        optimizer steps
     * @param batch        windows per step
     * @param learningRate peak AdamW rate (warm-up, then cosine decay)
     * @param warmup       warm-up steps
     * @param seed         corpus seed
     * @param englishShare share of English sentences among documents
     */
    public record Settings(int steps, int batch, double learningRate, int warmup, long seed, double englishShare) {
        public static Settings defaults() {
            return new Settings(2400, 48, 2e-3, 150, 1234, 0.2);
        }
    }

    /** Mean training loss (nats per token) over a block of 20 steps; {@code skipped} non-finite steps so far. */
    public record LossPoint(int step, double loss, int skipped) {}

    private ToyTraining() {}

    public static List<LossPoint> train(Model model, Tokenizer tokenizer, ToyCorpus corpus, Settings s, Progress progress) {
        Windows windows = new Windows(tokenizer, corpus, model.spec().nCtx());
        List<LossPoint> curve = new ArrayList<>();
        TrainerConfig config = new TrainerConfig(s.learningRate(), 0.9, 0.95, 1e-8, 0.01, s.warmup(), s.steps(), 1.0);
        try (Trainer trainer = model.trainer(config)) {
            double sum = 0;
            int count = 0;
            for (int step = 0; step < s.steps(); step++) {
                List<int[]> batch = new ArrayList<>();
                for (int b = 0; b < s.batch(); b++) {
                    batch.add(windows.next());
                }
                double loss = trainer.step(batch);
                if (Double.isFinite(loss)) {
                    sum += loss;
                    count++;
                }
                if ((step + 1) % 20 == 0 || step == s.steps() - 1) {
                    double mean = count == 0 ? Double.NaN : sum / count;
                    curve.add(new LossPoint(step + 1, mean, trainer.skippedSteps()));
                    progress.update("train", step + 1, s.steps(), String.format("loss %.3f%s", mean,
                            trainer.skippedSteps() > 0 ? " (" + trainer.skippedSteps() + " non-finite steps skipped)" : ""));
                    sum = 0;
                    count = 0;
                }
            }
        }
        return curve;
    }
}
