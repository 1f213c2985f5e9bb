package dev.loupe.method.transcoder;

import dev.loupe.api.Logits;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.dictionary.Transcoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A transcoder's quality on fresh text, under SAELens' metric names. Reconstruction on every token but each
 * window's first: {@code l0}, {@code mse} (mean over tokens of Σ (ŷ − y)²), {@code explained_variance}
 * (1 − Σ‖y − ŷ‖² / Σ‖y − ȳ‖², i.e. 1 − FVU against the target). Downstream, over next-token predictions:
 * {@code ce_loss_score} = (CE_zero − CE_tc) / (CE_zero − CE_clean) with the MLP's output zeroed for CE_zero and
 * the transcoder spliced in for CE_tc, and {@code kl_div_with_sae}, the mean KL(clean ‖ spliced). Feature density:
 * the share of tokens each feature fires on; dead features never fire; the histogram bins log10(density).
 *
 * In JSON the fields take SAELens's snake_case names ({@code explained_variance}, {@code ce_loss_score}, …).
 *
 * @param densityHistogram counts of live features per log10-density bin [−6, −5), …, [−1, 0]
 */
@com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TranscoderMetrics(double l0, double mse, double explainedVariance, double ceLossScore, double ceClean,
                                double ceWithTranscoder, double ceZeroAblated, double klDivWithSae, double deadFraction,
                                int[] densityHistogram, long tokens) {
    private static final int BATCH = 16;

    public static TranscoderMetrics evaluate(Model model, Transcoder t, List<int[]> windows) {
        if (windows.isEmpty()) {
            throw new LoupeException("transcoder metrics need at least one window of text");
        }
        Accumulator acc = new Accumulator(t);
        double[] ce = new double[3];
        double kl = 0;
        long predictions = 0;
        Intervention zero = new Intervention.Zero(t.hookOut(), Positions.all());
        for (int from = 0; from < windows.size(); from += BATCH) {
            List<int[]> batch = windows.subList(from, Math.min(windows.size(), from + BATCH));
            RunRequest base = new RunRequest(batch, RunRequest.Padding.RIGHT, Set.of(), List.of(),
                    RunRequest.LogitsMode.ALL);
            RunResult clean = model.run(base.withCache(t.hookIn(), t.hookOut()));
            Tensor spliced = model.run(base.withInterventions(t.splice())).logits();
            Tensor zeroed = model.run(base.withInterventions(zero)).logits();
            for (int b = 0; b < batch.size(); b++) {
                int[] ids = batch.get(b);
                Tensor xs = clean.activation(t.hookIn()).select(b);
                Tensor ys = clean.activation(t.hookOut()).select(b);
                for (int p = 1; p < ids.length; p++) {
                    acc.add(xs.select(p).toArray(), ys.select(p).toArray());
                }
                Tensor lcs = clean.logits().select(b);
                Tensor lss = spliced.select(b);
                Tensor lzs = zeroed.select(b);
                for (int p = 0; p + 1 < ids.length; p++) {
                    double[] lc = Logits.logSoftmax(lcs.select(p).toArray());
                    double[] ls = Logits.logSoftmax(lss.select(p).toArray());
                    double[] lz = Logits.logSoftmax(lzs.select(p).toArray());
                    int next = ids[p + 1];
                    ce[0] -= lc[next];
                    ce[1] -= ls[next];
                    ce[2] -= lz[next];
                    for (int v = 0; v < lc.length; v++) {
                        kl += Math.exp(lc[v]) * (lc[v] - ls[v]);
                    }
                    predictions++;
                }
            }
        }
        double clean = ce[0] / predictions;
        double withTc = ce[1] / predictions;
        double zeroed = ce[2] / predictions;
        return acc.result(clean, withTc, zeroed, kl / predictions);
    }

    /** Running sums for the reconstruction metrics. */
    private static final class Accumulator {
        private final Transcoder t;
        private final long[] fired;
        private final List<float[]> targets = new ArrayList<>();
        private double squaredError;
        private double active;
        private long tokens;

        Accumulator(Transcoder t) {
            this.t = t;
            this.fired = new long[t.dSae()];
        }

        void add(float[] x, float[] y) {
            var pass = t.mlp().run(x);
            float[] z = pass.features();
            float[] yHat = pass.output();
            for (int j = 0; j < z.length; j++) {
                if (z[j] > 0) {
                    fired[j]++;
                    active++;
                }
            }
            for (int k = 0; k < y.length; k++) {
                squaredError += (yHat[k] - y[k]) * (yHat[k] - y[k]);
            }
            targets.add(y);
            tokens++;
        }

        TranscoderMetrics result(double ceClean, double ceTc, double ceZero, double kl) {
            int d = t.dOut();
            double[] mean = new double[d];
            for (float[] y : targets) {
                for (int k = 0; k < d; k++) {
                    mean[k] += y[k] / (double) tokens;
                }
            }
            double variance = 0;
            for (float[] y : targets) {
                for (int k = 0; k < d; k++) {
                    variance += (y[k] - mean[k]) * (y[k] - mean[k]);
                }
            }
            int[] histogram = new int[6];
            int dead = 0;
            for (long f : fired) {
                if (f == 0) {
                    dead++;
                    continue;
                }
                int bin = (int) Math.floor(Math.log10((double) f / tokens)) + 6;
                histogram[Math.max(0, Math.min(5, bin))]++;
            }
            return new TranscoderMetrics(active / tokens, squaredError / tokens, 1 - squaredError / variance,
                    (ceZero - ceTc) / (ceZero - ceClean), ceClean, ceTc, ceZero, kl, (double) dead / fired.length,
                    histogram, tokens);
        }
    }
}
