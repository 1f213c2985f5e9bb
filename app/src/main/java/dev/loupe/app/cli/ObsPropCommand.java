package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.spi.Progress;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.hf.JsonFiles;
import dev.loupe.method.obsprop.LabelledProbes;
import dev.loupe.method.obsprop.ObsPropCouplingMethod;
import dev.loupe.method.obsprop.ObsPropProbesMethod;
import dev.loupe.method.obsprop.ObservableCoupling;
import dev.loupe.method.obsprop.ObsPropFeaturesMethod;
import dev.loupe.method.obsprop.ObservableFeatures;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Observable propagation: the user's observables, or (without one) the toy-world pronoun studies' plugins. */
@Command(name = "obsprop", mixinStandardHelpOptions = true,
        description = "Observable propagation: feature vectors, coupling coefficients, and the comparison with probes.",
        subcommands = {ObsPropCommand.Features.class, ObsPropCommand.Couple.class, ObsPropCommand.Compare.class})
public final class ObsPropCommand {

    /** {@code loupe obsprop features}. */
    @Command(name = "features", mixinStandardHelpOptions = true,
            description = "Rank heads and MLPs by the norm of their feature vector for she - he, beside mean-ablation.",
            footer = {"", "Example: loupe obsprop features --json > features.json"})
    public static final class Features extends ModelCommand {
        @Range(min = 1) @Option(names = "--prompts", defaultValue = "64", description = "Pronoun prompts for the ablation ranking (default: ${DEFAULT-VALUE}).")
        int prompts;

        @Option(names = "--paths", defaultValue = "THROUGH_MLPS",
                description = "DIRECT or THROUGH_MLPS (default: ${DEFAULT-VALUE}).")
        dev.loupe.method.obsprop.ComponentRanking.Paths paths;

        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "loupe-obsprop",
                description = "Where features.json and features.html go (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--observable", paramLabel = "EXPR", description = "Your observable instead of the pronoun "
                + "task: a weighted sum of single-token logits, e.g. \"logit(' she') - logit(' he')\".")
        String observable;

        @Option(names = "--prompt", description = "With --observable: the prompt whose last token linearises the MLPs "
                + "and whose tokens check the LayerNorm rule (without it: heads' direct paths, weights only).")
        String prompt;

        @Range(min = 1) @Option(names = "--top", defaultValue = "10", description = "Rows printed with --observable "
                + "(default: ${DEFAULT-VALUE}).")
        int top;

        @Override
        public void run() {
            if (observable != null) {
                Exclusive.refuse(spec, "--observable", "--prompts", "--paths");
                runObservable();
                return;
            }
            if (prompt != null) {
                throw new dev.loupe.api.LoupeException("--prompt goes with --observable (the pronoun task has its own)");
            }
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "toyworld-pronoun-features", Map.of("prompts", prompts, "paths", paths), out,
                        seed));
            }
        }

        private void runObservable() {
            ObservableFeatures f;
            try (Model m = options.load(loader)) {
                Method<ObsPropFeaturesMethod.Config> plugin = loader.plugins().method("obsprop",
                        ObsPropFeaturesMethod.Config.class);
                f = (ObservableFeatures) plugin.run(new MethodContext(m, options.modelName(), out, seed,
                        dev.loupe.api.spi.Progress.NONE), new ObsPropFeaturesMethod.Config(observable,
                        prompt == null ? "" : prompt)).summary();
            }
            JsonFiles.write(out.resolve("observable-features.json"), f);
            PrintWriter w = spec.commandLine().getOut();
            if (options.json) {
                w.println(Json.write(f));
                return;
            }
            printObservable(w, f, top);
        }
    }

    /** The top rows of the user's observable's ranking, and the LayerNorm check when there was a prompt. */
    private static void printObservable(PrintWriter w, ObservableFeatures f, int top) {
        w.println("rank  component   ||feature vector||   for " + f.observable());
        for (int i = 0; i < Math.min(top, f.ranked().size()); i++) {
            ObservableFeatures.Row r = f.ranked().get(i);
            w.printf("%4d  %-10s %10.4f%n", i + 1, r.name(), r.norm());
        }
        if (f.finalNorm() != null) {
            w.printf("final LayerNorm, d = %d: exact gradient vs sqrt(d) W*y rule, mean cosine %.4f (%.2f deg) on %d "
                    + "tokens of the prompt%n", f.finalNorm().dimension(), f.finalNorm().meanCosine(),
                    f.finalNorm().meanAngleDegrees(), f.finalNorm().samples());
        }
    }

    /** {@code loupe obsprop couple}. */
    @Command(name = "couple", mixinStandardHelpOptions = true,
            description = "Coupling coefficients between head feature vectors beside least-squares slopes over real activations.",
            footer = {"", "Examples:", "  loupe obsprop couple --windows 256",
                    "  loupe obsprop couple --model DIR --observable \"logit(' she') - logit(' he')\" --corpus docs.jsonl"})
    public static final class Couple extends ModelCommand {
        @Range(min = 1) @Option(names = "--windows", defaultValue = "64",
                description = "Windows of text whose tokens give the activations (default: ${DEFAULT-VALUE}).")
        int windows;

        @Option(names = "--observable", paramLabel = "EXPR", description = "Your observable instead of the pronoun "
                + "task (once or twice: with two, each head's vectors for the two are coupled too); needs --corpus.")
        List<String> observables;

        @Option(names = "--prompt", description = "With --observable: the prompt that linearises the MLPs (without "
                + "it: the heads' direct paths).") String prompt;

        @Mixin CorpusOptions text;

        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "loupe-obsprop",
                description = "Where coupling.json and coupling.html go (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public void run() {
            if (observables != null) {
                runObservables();
                return;
            }
            Exclusive.refuse(spec, "the pronoun task (no --observable)", "--prompt", "--corpus", "--field", "--context",
                    "--stride", "--bos");
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "toyworld-pronoun-coupling", Map.of("windows", windows), out, seed));
            }
        }

        private void runObservables() {
            Exclusive.refuse(spec, "--observable", "--seed");
            if (text.corpus == null) {
                throw new LoupeException("--observable needs --corpus (the text whose activations check the couplings)");
            }
            ObservableCoupling c;
            try (Model m = options.load(loader)) {
                c = (ObservableCoupling) loader.plugins().method("obsprop-couple", ObsPropCouplingMethod.Config.class)
                        .run(new MethodContext(m, options.modelName(), out, 0, Progress.NONE),
                                new ObsPropCouplingMethod.Config(observables, prompt == null ? "" : prompt,
                                        text.corpus.toString(), text.field == null ? "" : text.field, text.policy(), windows)).summary();
            }
            JsonFiles.write(out.resolve("coupling.json"), c);
            PrintWriter w = spec.commandLine().getOut();
            if (options.json) {
                w.println(Json.write(c));
                return;
            }
            w.printf("%-14s %-14s %-16s %9s %9s %8s%n", "y1", "y2", "pair", "C(y1,y2)", "slope", "fit r2");
            for (ObservableCoupling.Pair p : c.pairs()) {
                w.printf("%-14s %-14s %-16s %9.3f %9.3f %8.3f%n", p.first(), p.second(), p.kind(), p.coupling(),
                        p.slope(), p.fitR2());
            }
            w.printf("slopes over %d tokens of %s; C predicts them with R2 = %.3f over %d pairs (correlation %.3f)%n",
                    c.tokens(), text.name(), c.r2(), c.pairs().size(), c.correlation());
        }
    }

    /** {@code loupe obsprop compare}. */
    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "AUC of the ObsProp feature vector vs probes and mean differences trained on k = 1..32 examples per class.",
            footer = {"", "Examples:", "  loupe obsprop compare --layer 2 --json",
                    "  loupe obsprop compare --model DIR --labelled reviews.jsonl --observable \"logit(' good') - "
                            + "logit(' bad')\" --positive pos"})
    public static final class Compare extends ModelCommand {
        @Option(names = "--labelled", paramLabel = "FILE", description = "Your labelled prompts instead of the pronoun "
                + "task: JSONL with prompt and label, two labels; the last token is classified. Needs --observable.")
        Path labelled;

        @Option(names = "--observable", paramLabel = "EXPR", description = "With --labelled: the observable whose "
                + "feature vector is ObsProp's direction.") String observable;

        @Option(names = "--positive", paramLabel = "LABEL", description = "With --labelled: the label the observable "
                + "scores higher (default: 1 or true when the labels are 0/1 or false/true).") String positive;

        @Range(min = Double.MIN_VALUE, max = 1) @Option(names = "--held-out-fraction", defaultValue = "0.5",
                description = "With --labelled: the share of each "
                + "class held out for the AUC (default: ${DEFAULT-VALUE}).") double heldOutFraction;

        @Range(min = -1) @Option(names = "--layer", defaultValue = "-1", description = "Block whose resid_pre at the last token is classified (default: middle).")
        int layer;

        @Range(min = 1) @Option(names = "--held-out", defaultValue = "300",
                description = "Held-out prompts whose tokens give the AUC (default: ${DEFAULT-VALUE}).") int heldOut;
        @Range(min = 1) @Option(names = "--repeats", defaultValue = "20", description = "Draws of the k training examples (default: ${DEFAULT-VALUE}).")
        int repeats;
        @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "loupe-obsprop",
                description = "Where compare.json and compare.html go (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public void run() {
            if (labelled != null) {
                runLabelled();
                return;
            }
            for (String o : List.of("--observable", "--positive", "--held-out-fraction")) {
                Exclusive.refuse(spec, "the pronoun task (no --labelled)", o);
            }
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "toyworld-pronoun-probes", Map.of("layer", ModelOptions.layerOrMiddle(layer, m),
                        "heldOut", heldOut, "repeats", repeats), out, seed));
            }
        }

        private void runLabelled() {
            Exclusive.refuse(spec, "--labelled", "--held-out");
            if (observable == null) {
                throw new LoupeException("--labelled needs --observable (whose feature vector ObsProp scores with)");
            }
            LabelledProbes c;
            try (Model m = options.load(loader)) {
                c = (LabelledProbes) loader.plugins().method("obsprop-compare", ObsPropProbesMethod.Config.class)
                        .run(new MethodContext(m, options.modelName(), out, seed, Progress.NONE),
                                new ObsPropProbesMethod.Config(observable, labelled.toString(),
                                        positive == null ? "" : positive,
                                        ModelOptions.layerOrMiddle(layer, m), heldOutFraction, repeats)).summary();
            }
            JsonFiles.write(out.resolve("compare.json"), c);
            PrintWriter w = spec.commandLine().getOut();
            if (options.json) {
                w.println(Json.write(c));
                return;
            }
            w.printf("AUC on %d held-out prompts of %s (last token, %s; positive label '%s')%n", c.heldOut(),
                    labelled, c.hook(), c.positive());
            w.printf("ObsProp feature vector (1 example per class): %.3f%n", c.obsProp());
            w.printf("%4s %9s %9s %9s%n", "k", "logistic", "linear", "mean-diff");
            for (dev.loupe.method.obsprop.ProbeCurve.Row r : c.curve()) {
                w.printf("%4d %9.3f %9.3f %9.3f%n", r.k(), r.logistic(), r.linear(), r.meanDifference());
            }
        }
    }
}
