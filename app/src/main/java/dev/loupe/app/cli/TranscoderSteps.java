package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.training.SparseMlpTrainer;
import dev.loupe.api.training.SparseMlpTrainingConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training case of {@link PeerBench}: a transcoder d_model → 8·d_model → d_model (the embedded model: 128 →
 * 1,024, the shape) trained for a few Adam steps on one random batch, without ghost grads, by the engine's
 * {@link SparseMlpTrainer} (which puts the decoder's rows at unit norm itself); and the same loop as the peer's plain
 * PyTorch request.
 */
final class TranscoderSteps {
    private static final double L1 = 1e-3;

    private TranscoderSteps() {}

    static Runnable loupe(Model model, int batch, int steps) {
        int d = model.spec().dModel();
        int features = 8 * d;
        SplittableRandom rnd = new SplittableRandom(6);
        Tensor x = gaussian(rnd, 1, batch, d);
        Tensor y = gaussian(rnd, 1, batch, d);
        SpliceFunction.SparseMlp initial = new SpliceFunction.SparseMlp(gaussian(rnd, 1 / Math.sqrt(d), d, features),
                Tensor.zeros(features), gaussian(rnd, 1, features, d), Tensor.zeros(d), Tensor.zeros(d), null,
                null, null);
        SparseMlpTrainingConfig config = new SparseMlpTrainingConfig(L1, 1e-3, 0, 0.9, 0.999, 1000, false);
        return () -> {
            try (SparseMlpTrainer trainer = model.sparseMlpTrainer(initial, config)) {
                for (int s = 0; s < steps; s++) {
                    trainer.step(x, y);
                }
            }
        };
    }

    static Map<String, Object> peer(int d, int batch, int steps) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("op", "time");
        r.put("case", "train");
        r.put("d_in", d);
        r.put("d_out", d);
        r.put("d_sae", 8 * d);
        r.put("batch", batch);
        r.put("steps", steps);
        r.put("l1", L1);
        return r;
    }

    private static Tensor gaussian(SplittableRandom rnd, double scale, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        return Tensor.adopt(v, rows, cols);
    }
}
