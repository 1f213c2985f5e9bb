package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
        String paths;

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

        @Override
        public void run() {
            if (observable != null) {
                Exclusive.refuse(spec, "--observable", "--prompts", "--paths");
                runObservable();
                return;
            }
            if (prompt != null) {
                throw new LoupeException("--prompt goes with --observable (the pronoun task has its own)");
            }
            if (!paths.equals("DIRECT") && !paths.equals("THROUGH_MLPS")) {
                throw new LoupeException("--paths: '" + paths + "' is not DIRECT or THROUGH_MLPS");
            }
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "toyworld-pronoun-features", Map.of("prompts", prompts, "paths", paths), out,
                        seed));
            }
        }

        private void runObservable() {
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "obsprop", Map.of("observable", observable, "prompt", prompt == null ? "" : prompt),
                        out, seed));
            }
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
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("observables", observables);
            fields.put("prompt", prompt == null ? "" : prompt);
            fields.put("corpus", text.corpus.toString());
            fields.put("field", text.field == null ? "" : text.field);
            fields.put("policy", text.policy());
            fields.put("windows", windows);
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "obsprop-couple", fields, out, 0));
            }
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
            try (Model m = options.load(loader)) {
                print(runPlugin(m, "obsprop-compare", Map.of("observable", observable, "labelled", labelled.toString(),
                        "positive", positive == null ? "" : positive, "layer", ModelOptions.layerOrMiddle(layer, m),
                        "heldOut", heldOutFraction, "repeats", repeats), out, seed));
            }
        }
    }
}
