package dev.loupe.method.obsprop;

import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.data.PromptSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * ObsProp against probes on the user's labelled prompts ({@link LabelledProbes}): a JSONL prompt set whose every
 * line has a {@code label}, two labels in all. {@code loupe obsprop compare --labelled …} is a front-end over it.
 */
public final class ObsPropProbesMethod implements Method<ObsPropProbesMethod.Config> {
    /**
     * What to compare.
     *
     * @param observable the observable whose feature vector is ObsProp's direction
     * @param labelled   the prompt set ({@code prompt}, {@code label})
     * @param positive   the label the observable should score higher; "": "1" or "true" when the labels are
     *                   0/1 or false/true, else it must be given
     * @param layer      the block whose {@code hook_resid_pre} at the last token is classified (default: the middle)
     * @param heldOut    the share of each class held out for the AUC
     * @param repeats    draws of the k training prompts
     */
    public record Config(String observable, String labelled, String positive, int layer, double heldOut,
                         int repeats) {}

    @Override
    public String name() {
        return "obsprop-compare";
    }

    @Override
    public String description() {
        return "AUC of an observable's feature vector vs probes trained on k labelled prompts per class";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** Observable and prompts must be given; the middle layer, half held out, 20 draws. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, null, "", spec.nLayers() / 2, 0.5, 20);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        var model = context.model();
        Observable n = ObservableExpression.parse(config.observable(), model.tokenizer());
        if (!(config.heldOut() > 0 && config.heldOut() < 1) || config.repeats() < 1) {
            throw new LoupeException("obsprop-compare: heldOut must be in (0, 1) and repeats at least 1, got "
                    + config.heldOut() + " and " + config.repeats());
        }
        Path file = Path.of(config.labelled());
        List<PromptSet.Example> set = PromptSet.readText(file, "obsprop-compare");
        TreeSet<String> labels = new TreeSet<>();
        for (int i = 0; i < set.size(); i++) {
            if (set.get(i).label() == null) {
                throw new LoupeException(file + ": prompt " + (i + 1) + " ('" + set.get(i).prompt() + "') has no "
                        + "label (every prompt of a labelled set needs one)");
            }
            labels.add(set.get(i).label());
        }
        if (labels.size() != 2) {
            throw new LoupeException(file + ": " + labels.size() + " distinct labels " + labels + " (expected two "
                    + "classes)");
        }
        String positive = positive(config.positive(), labels, file);
        List<LabelledProbes.Example> examples = new ArrayList<>();
        for (PromptSet.Example e : set) {
            examples.add(new LabelledProbes.Example(model.tokenizer().encodeWithBos(e.prompt()),
                    e.label().equals(positive) ? 1 : 0));
        }
        LabelledProbes p = LabelledProbes.run(model, n, config.layer(), examples, positive, config.heldOut(),
                config.repeats(), context.seed());
        ProbeCurve.Row last = p.curve().get(p.curve().size() - 1);
        return new MethodResult(name(), Map.of("obsprop_auc", p.obsProp(), "logistic_auc_at_max_k", last.logistic(),
                "max_k", (double) last.k(), "held_out", (double) p.heldOut()), p,
                List.of(ResultFile.write(context.outputDir(), "compare.json", p)));
    }

    private static String positive(String given, TreeSet<String> labels, Path file) {
        if (!given.isEmpty()) {
            if (!labels.contains(given)) {
                throw new LoupeException(file + ": positive label '" + given + "' is not one of " + labels);
            }
            return given;
        }
        if (labels.equals(new TreeSet<>(List.of("0", "1")))) {
            return "1";
        }
        if (labels.equals(new TreeSet<>(List.of("false", "true")))) {
            return "true";
        }
        throw new LoupeException(file + ": labels " + labels + " - say which the observable should score higher "
                + "(--positive LABEL, or \"positive\" in the config)");
    }
}
