package dev.loupe.spark;

import dev.loupe.api.LoupeException;
import dev.loupe.data.TokenizerPolicy;
import dev.loupe.method.transcoder.TranscoderTraining;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A sweep of dictionaries: every harvest folder (one per layer) × expansion × λ × architecture, each trained as
 * {@code loupe transcoder train} trains one, with the other settings of {@code base}, then scored on held-out text.
 *
 * @param model           the model, as every executor loads it
 * @param activations     harvest folders on a filesystem every executor sees
 * @param expansions      d_sae / d_in values
 * @param l1s             λ values
 * @param architectures   dictionary kinds ({@code relu}: the kind Loupe's trainer trains)
 * @param base            every other training setting (its expansion and λ are replaced)
 * @param evalCorpus      held-out text for the metrics (a local or shared path)
 * @param evalField       its JSONL field or Parquet column (null: {@code text})
 * @param evalPolicy      its windows
 * @param evalWindows     windows scored
 * @param out             the sweep's folder: one subfolder per dictionary, then {@code sweep.json} and the report
 * @param bestBy          the metric that marks the best dictionary of each layer
 * @param replicas        replicas per dictionary: 1 trains each in one task (checkpointed, resumed when retried);
 *                        more train each data-parallel in a barrier stage of that many tasks (replica 0
 *                        checkpoints; a stage that lost a replica runs again from the last checkpoint)
 * @param faultDictionary a dictionary whose first attempt fails after its first checkpoint (null: none)
 */
public record SweepJob(ModelRef model, List<String> activations, List<Integer> expansions, List<Double> l1s,
                       List<String> architectures, TranscoderTraining.Config base, String evalCorpus, String evalField,
                       TokenizerPolicy evalPolicy, int evalWindows, String out, String bestBy, int replicas,
                       String faultDictionary)
        implements Serializable {
    /** The dictionary kinds Loupe's trainer trains. */
    public static final List<String> TRAINABLE = List.of("relu");

    public SweepJob {
        activations = List.copyOf(activations);
        expansions = List.copyOf(expansions);
        l1s = List.copyOf(l1s);
        architectures = List.copyOf(architectures);
        for (String a : architectures) {
            if (!TRAINABLE.contains(a)) {
                throw new LoupeException("--architecture " + a + ": Loupe's trainer trains " + TRAINABLE
                        + " dictionaries (topk, jumprelu and gated ones are read from SAELens folders, not trained)");
            }
        }
        if (replicas < 1) {
            throw new LoupeException("--replicas " + replicas + ": expected at least 1");
        }
        if (!SweepTable.METRICS.containsKey(bestBy)) {
            throw new LoupeException("--best-by " + bestBy + ": expected one of " + SweepTable.METRICS.keySet());
        }
    }

    /** A sweep on {@code model} into {@code out}; everything else at the defaults {@link Builder} lists. */
    public static Builder builder(ModelRef model, String out) {
        return new Builder(model, out);
    }

    /**
     * A sweep's settings one at a time. Defaults: expansion 8, λ 1, relu, {@link TranscoderTraining.Config#defaults}
     * for the rest of training, 64 held-out windows under {@link TokenizerPolicy#defaults}, best by
     * {@code ce_loss_score}, one replica, no fault. Activations and the held-out corpus must be given.
     */
    public static final class Builder {
        private final ModelRef model;
        private final String out;
        private List<String> activations = List.of();
        private List<Integer> expansions = List.of(8);
        private List<Double> l1s = List.of(1.0);
        private List<String> architectures = List.of("relu");
        private TranscoderTraining.Config base = TranscoderTraining.Config.defaults();
        private String evalCorpus;
        private String evalField;
        private TokenizerPolicy evalPolicy = TokenizerPolicy.defaults();
        private int evalWindows = 64;
        private String bestBy = "ce_loss_score";
        private int replicas = 1;
        private String faultDictionary;

        private Builder(ModelRef model, String out) {
            this.model = model;
            this.out = out;
        }

        public Builder activations(List<String> value) {
            activations = value;
            return this;
        }

        public Builder expansions(List<Integer> value) {
            expansions = value;
            return this;
        }

        public Builder l1s(List<Double> value) {
            l1s = value;
            return this;
        }

        public Builder architectures(List<String> value) {
            architectures = value;
            return this;
        }

        /** Every training setting but expansion and λ. */
        public Builder training(TranscoderTraining.Config value) {
            base = value;
            return this;
        }

        /** The held-out text, its JSONL field or Parquet column (null: {@code text}), and how it is windowed. */
        public Builder heldOut(String corpus, String field, TokenizerPolicy policy) {
            evalCorpus = corpus;
            evalField = field;
            evalPolicy = policy;
            return this;
        }

        /** Held-out windows scored. */
        public Builder evalWindows(int value) {
            evalWindows = value;
            return this;
        }

        public Builder bestBy(String value) {
            bestBy = value;
            return this;
        }

        public Builder replicas(int value) {
            replicas = value;
            return this;
        }

        /** For tests: this dictionary's first attempt fails after its first checkpoint. */
        public Builder faultDictionary(String value) {
            faultDictionary = value;
            return this;
        }

        public SweepJob build() {
            if (evalCorpus == null) {
                throw new LoupeException("a sweep needs held-out text (--eval-corpus)");
            }
            return new SweepJob(model, activations, expansions, l1s, architectures, base, evalCorpus, evalField,
                    evalPolicy, evalWindows, out, bestBy, replicas, faultDictionary);
        }
    }

    /** One dictionary of the sweep. */
    public record Dictionary(String name, String activations, int expansion, double l1, String architecture)
            implements Serializable {}

    /** Every dictionary, in a fixed order (activations, expansion, λ, architecture), named for its folder. */
    public List<Dictionary> dictionaries() {
        List<Dictionary> out = new ArrayList<>();
        for (String a : activations) {
            for (int x : expansions) {
                for (double l1 : l1s) {
                    for (String arch : architectures) {
                        String name = String.format(Locale.ROOT, "%s-x%d-l1_%s-%s", Path.of(a).getFileName(), x,
                                Double.toString(l1), arch);
                        out.add(new Dictionary(name, a, x, l1, arch));
                    }
                }
            }
        }
        return out;
    }

    /** The training settings of {@code d}. */
    public TranscoderTraining.Config config(Dictionary d) {
        TranscoderTraining.Config b = base;
        return new TranscoderTraining.Config(d.expansion(), d.l1(), b.learningRate(), b.warmup(), b.steps(),
                b.batch(), b.bufferRows(), b.deadAfter(), b.ghostGrads(), b.checkpointEvery(), b.seed());
    }
}
