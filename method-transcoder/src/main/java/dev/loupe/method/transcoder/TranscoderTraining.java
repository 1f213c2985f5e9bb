package dev.loupe.method.transcoder;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.dictionary.InputConvention;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.api.spi.Progress;
import dev.loupe.api.training.SparseMlpTrainer;
import dev.loupe.api.training.SparseMlpTrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a transcoder on a harvest, on the model's engine ({@link Model#sparseMlpTrainer}), with a checkpoint every
 * {@code checkpointEvery} steps in {@code out/checkpoint.safetensors} (parameters, Adam moments, dead-feature
 * counters, loss curve and the config, one file written atomically). With {@code resume}, a run continues from the
 * checkpoint: the buffer skips the batches already seen, so the run continues as if never stopped.
 */
public final class TranscoderTraining {
    /** The checkpoint's file name in the output folder. */
    public static final String CHECKPOINT = "checkpoint.safetensors";

    /**
     * @param expansion      d_sae = expansion · d_in
     * @param l1             λ on the L1 term
     * @param learningRate   Adam's peak rate
     * @param warmup         warm-up steps
     * @param steps          optimizer steps
     * @param batch          activations per step
     * @param bufferRows     rows in the shuffle buffer (≥ 2 · batch)
     * @param deadAfter      steps without firing before a feature is dead
     * @param ghostGrads     whether dead features get ghost grads
     * @param checkpointEvery steps between checkpoints (0: only at the end)
     * @param seed           initialisation and shuffling
     */
    public record Config(int expansion, double l1, double learningRate, int warmup, int steps, int batch,
                         int bufferRows, int deadAfter, boolean ghostGrads, int checkpointEvery, long seed)
            implements java.io.Serializable {
        public static Config defaults() {
            return new Config(8, 1.0, 1e-3, 200, 3000, 1024, 32768, 1000, true, 500, 0);
        }

        public Config withSeed(long newSeed) {
            return new Config(expansion, l1, learningRate, warmup, steps, batch, bufferRows, deadAfter, ghostGrads,
                    checkpointEvery, newSeed);
        }

        String key() {
            return expansion + "/" + l1 + "/" + learningRate + "/" + warmup + "/" + steps + "/" + batch + "/"
                    + bufferRows + "/" + deadAfter + "/" + ghostGrads + "/" + seed;
        }
    }

    /** One point of the loss curve (means over the steps since the previous point). */
    public record Point(int step, double mse, double l1, double l0, int dead) {}

    /** The trained transcoder, its curve, and throughput. */
    public record Result(Transcoder transcoder, List<Point> curve, int resumedFrom, double seconds,
                         double activationsPerSecond) {}

    private TranscoderTraining() {}

    public static Result train(Model model, ActivationHarvest h, Config c, Path out, boolean resume, Progress progress) {
        return loop(model, h, c, out, resume, true, (trainer, batch) -> trainer.step(batch[0], batch[1]), progress);
    }

    /**
     * One dictionary trained by {@link Replicas#count} replicas at once: each reads the same shuffled batches (the
     * buffer is seeded), takes its share of every batch's rows, and steps with the row-weighted mean of all parts
     * ({@link SparseMlpTrainer#part}), so every replica holds the same parameters, equal to {@link #train}'s on one
     * machine up to rounding when ghost grads are off (with them, each share's ghost term is scaled by its own loss).
     * Replica 0 writes the checkpoints (every {@code checkpointEvery} steps, before any replica can take the next
     * step) and the transcoder to {@code out}. When {@code out} holds a checkpoint every replica continues from it,
     * as {@link #train} resumes: a restarted stage loses at most the steps since the last one.
     */
    public static Result trainDataParallel(Model model, ActivationHarvest h, Config c, Path out, Replicas replicas,
                                           Progress progress) {
        if (c.batch() < replicas.count()) {
            throw new LoupeException("batch " + c.batch() + " is smaller than the " + replicas.count() + " replicas");
        }
        int from = c.batch() * replicas.rank() / replicas.count();
        int to = c.batch() * (replicas.rank() + 1) / replicas.count();
        return loop(model, h, c, out, Files.isRegularFile(out.resolve(CHECKPOINT)), replicas.rank() == 0,
                (trainer, batch) -> trainer.apply(SparseMlpTrainer.Part.mean(replicas.gather(
                        trainer.part(batch[0].slice(0, from, to), batch[1].slice(0, from, to))))), progress);
    }

    /** How one optimizer step is taken on a batch: alone, or as one replica of several. */
    private interface Stepper {
        SparseMlpTrainer.Step step(SparseMlpTrainer trainer, Tensor[] batch);
    }

    /**
     * The training loop both entries share: resume from the checkpoint when asked, step, checkpoint every
     * {@code checkpointEvery} steps and at the end, write the transcoder; {@code writes} false for replicas that
     * leave the files to replica 0.
     */
    private static Result loop(Model model, ActivationHarvest h, Config c, Path out, boolean resume, boolean writes,
                               Stepper stepper, Progress progress) {
        ActivationBuffer buffer = new ActivationBuffer(h, c.bufferRows(), c.seed());
        SparseMlpTrainingConfig tc = new SparseMlpTrainingConfig(c.l1(), c.learningRate(), c.warmup(), 0.9, 0.999,
                c.deadAfter(), c.ghostGrads());
        List<Point> curve = new ArrayList<>();
        int start = 0;
        long began = System.nanoTime();
        try (SparseMlpTrainer trainer = model.sparseMlpTrainer(initial(h, buffer, c), tc)) {
            Path checkpoint = out.resolve(CHECKPOINT);
            if (resume && !Files.isRegularFile(checkpoint)) {
                throw new LoupeException(checkpoint + ": no checkpoint to resume from (run without --resume to start)");
            }
            if (resume) {
                start = restore(checkpoint, trainer, curve, c);
                buffer.skip(start, c.batch());
            }
            Curve points = new Curve(curve, c.steps(), progress);
            for (int step = start; step < c.steps(); step++) {
                points.add(step, stepper.step(trainer, buffer.next(c.batch())));
                if (writes && c.checkpointEvery() > 0 && (step + 1) % c.checkpointEvery() == 0) {
                    save(checkpoint, trainer, curve, c);
                }
            }
            if (writes) {
                save(checkpoint, trainer, curve, c);
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            Transcoder t = Transcoder.of(h.hookIn(), h.hookOut(), InputConvention.of(h.hookIn()),
                    trainer.parameters());
            if (writes) {
                TranscoderFile.write(out, t, h.model() != null ? h.model() : dev.loupe.api.ModelFingerprint.of(model));
            }
            return new Result(t, curve, start, seconds, (double) (c.steps() - start) * c.batch() / seconds);
        }
    }

    /** The loss curve: means over every {@code every} steps, reported to the progress listener as they close. */
    private static final class Curve {
        private final List<Point> points;
        private final int steps;
        private final int every;
        private final Progress progress;
        private final double[] sums = new double[3];
        private int count;

        Curve(List<Point> points, int steps, Progress progress) {
            this.points = points;
            this.steps = steps;
            this.every = Math.max(1, Math.min(50, steps / 20));
            this.progress = progress;
        }

        void add(int step, SparseMlpTrainer.Step s) {
            sums[0] += s.mse();
            sums[1] += s.l1();
            sums[2] += s.l0();
            count++;
            if ((step + 1) % every == 0 || step == steps - 1) {
                points.add(new Point(step + 1, sums[0] / count, sums[1] / count, sums[2] / count, s.dead()));
                progress.update("train", step + 1, steps, String.format("mse %.4f L0 %.1f dead %d", sums[0] / count,
                        sums[2] / count, s.dead()));
                java.util.Arrays.fill(sums, 0);
                count = 0;
            }
        }
    }

    /** W_dec: random unit rows; W_enc = W_decᵀ; b_dec and b_dec_out: the means of a first batch. */
    static SpliceFunction.SparseMlp initial(ActivationHarvest h, ActivationBuffer buffer, Config c) {
        int f = c.expansion() * h.dIn();
        Random rnd = new Random(c.seed());
        float[] dec = new float[f * h.dOut()];
        for (int j = 0; j < f; j++) {
            double norm = 0;
            for (int k = 0; k < h.dOut(); k++) {
                dec[j * h.dOut() + k] = (float) rnd.nextGaussian();
                norm += dec[j * h.dOut() + k] * dec[j * h.dOut() + k];
            }
            for (int k = 0; k < h.dOut(); k++) {
                dec[j * h.dOut() + k] /= (float) Math.sqrt(norm);
            }
        }
        Tensor wDec = Tensor.of(dec, f, h.dOut());
        Tensor wEnc = h.dIn() == h.dOut() ? wDec.transpose() : Tensor.of(new float[h.dIn() * f], h.dIn(), f);
        Tensor[] first = new ActivationBuffer(h, c.bufferRows(), c.seed() + 1).next(Math.min(c.batch(), c.bufferRows() / 2));
        return new SpliceFunction.SparseMlp(wEnc, Tensor.zeros(f), wDec, mean(first[0]), mean(first[1]));
    }

    private static Tensor mean(Tensor rows) {
        int n = rows.size(0);
        int d = rows.size(1);
        float[] a = rows.toArray();
        float[] m = new float[d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                m[k] += a[i * d + k] / n;
            }
        }
        return Tensor.vector(m);
    }

    private static void save(Path file, SparseMlpTrainer trainer, List<Point> curve, Config c) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        SpliceFunction.SparseMlp p = trainer.parameters();
        tensors.put("param.W_enc", p.wEnc());
        tensors.put("param.b_enc", p.bEnc());
        tensors.put("param.W_dec", p.wDec());
        tensors.put("param.b_dec", p.bDec());
        tensors.put("param.b_dec_out", p.bDecOut());
        trainer.state().forEach((k, v) -> tensors.put("state." + k, v));
        float[] rows = new float[Math.max(1, curve.size()) * 5];
        for (int i = 0; i < curve.size(); i++) {
            Point pt = curve.get(i);
            System.arraycopy(new float[] {pt.step(), (float) pt.mse(), (float) pt.l1(), (float) pt.l0(), pt.dead()}, 0,
                    rows, i * 5, 5);
        }
        tensors.put("curve", Tensor.of(rows, Math.max(1, curve.size()), 5));
        SafetensorsWriter.write(file, tensors, Map.of("config", c.key(), "step", String.valueOf(trainer.steps()),
                "curve_points", String.valueOf(curve.size())));
    }

    private static int restore(Path file, SparseMlpTrainer trainer, List<Point> curve, Config c) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            String saved = f.metadata().getOrDefault("config", "");
            if (!saved.equals(c.key())) {
                throw new LoupeException(file + ": checkpoint of a run with other settings (" + saved + "), this run is "
                        + c.key() + "; remove it or use another --out");
            }
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String name : f.names()) {
                if (name.startsWith("state.")) {
                    state.put(name.substring(6), f.tensor(name));
                }
            }
            trainer.restore(new SpliceFunction.SparseMlp(f.tensor("param.W_enc"), f.tensor("param.b_enc"),
                    f.tensor("param.W_dec"), f.tensor("param.b_dec"), f.tensor("param.b_dec_out")), state);
            Tensor rows = f.tensor("curve");
            int points = Integer.parseInt(f.metadata().getOrDefault("curve_points", "0"));
            for (int i = 0; i < points; i++) {
                curve.add(new Point((int) rows.get(i, 0), rows.get(i, 1), rows.get(i, 2), rows.get(i, 3),
                        (int) rows.get(i, 4)));
            }
            return trainer.steps();
        }
    }
}
