package dev.loupe.method.obsprop;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Data efficiency on the user's labelled prompts: how well one direction in {@code blocks.L.hook_resid_pre} at each
 * prompt's last token separates two classes, by AUC on held-out prompts. ObsProp's direction is the observable's
 * feature vector at that layer (skip path + later MLPs, linearised between the first training prompt of each
 * class: one example per class); logistic, linear and mean-difference probes are trained on k prompts per class,
 * averaged over repeated draws.
 *
 * @param hook     where the activations are read
 * @param positive the label the observable should score higher
 * @param obsProp  ObsProp's AUC
 * @param curve    one row per k
 * @param train    training prompts per class (negative, positive)
 * @param heldOut  held-out prompts scored
 */
public record LabelledProbes(String hook, String positive, double obsProp, List<ProbeCurve.Row> curve, int[] train,
                             int heldOut) implements dev.loupe.api.spi.TextSummary {
    /** One labelled prompt, already encoded; {@code label} 1 for the positive class. */
    public record Example(int[] ids, int label) {}

    private static final int[] KS = {1, 2, 4, 8, 16, 32, 64};

    @Override
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format("AUC on %d held-out prompts of the labelled set (last token, %s; positive label '%s')",
                heldOut, hook, positive));
        out.addAll(ProbeCurve.lines(obsProp, curve));
        return out;
    }

    /**
     * @param heldOutFraction the share of each class held out for the AUC (at least one prompt each side)
     */
    public static LabelledProbes run(Model model, Observable n, int layer, List<Example> examples, String positive,
                                     double heldOutFraction, int repeats, long seed) {
        if (layer < 0 || layer >= model.spec().nLayers()) {
            throw new LoupeException("layer " + layer + " is outside a model with " + model.spec().nLayers()
                    + " layers");
        }
        List<List<Example>> byClass = List.of(new ArrayList<>(), new ArrayList<>());
        examples.forEach(e -> byClass.get(e.label()).add(e));
        Random rnd = new Random(seed);
        List<Example> train = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        int[] trainCounts = new int[2];
        for (int c = 0; c < 2; c++) {
            List<Example> all = byClass.get(c);
            Collections.shuffle(all, rnd);
            int held = (int) Math.round(all.size() * heldOutFraction);
            if (held < 1 || held >= all.size()) {
                throw new LoupeException("class " + (c == 1 ? "'" + positive + "'" : "other than '" + positive + "'")
                        + " has " + all.size() + " prompts: too few to hold out " + heldOutFraction
                        + " of them and train on the rest (at least one each side)");
            }
            test.addAll(all.subList(0, held));
            train.addAll(all.subList(held, all.size()));
            trainCounts[c] = all.size() - held;
        }
        HookPoint hook = HookPoint.of(layer, HookSite.RESID_PRE);
        float[][] xTrain = lastTokens(model, hook, train);
        float[][] xTest = lastTokens(model, hook, test);
        int[] yTrain = train.stream().mapToInt(Example::label).toArray();
        int[] yTest = test.stream().mapToInt(Example::label).toArray();
        int[] negative = train.stream().filter(e -> e.label() == 0).findFirst().orElseThrow().ids();
        int[] positiveIds = train.stream().filter(e -> e.label() == 1).findFirst().orElseThrow().ids();
        Tensor y = ComponentRanking.chain(model, n, negative, positiveIds).residPre()[layer];
        double obsProp = Probes.auc(Probes.scores(xTest, y), yTest);
        List<ProbeCurve.Row> curve = ProbeCurve.of(xTrain, yTrain, xTest, yTest, KS,
                Math.min(trainCounts[0], trainCounts[1]), repeats, rnd);
        return new LabelledProbes(hook.name(), positive, obsProp, curve, trainCounts, yTest.length);
    }

    private static float[][] lastTokens(Model model, HookPoint hook, List<Example> examples) {
        var r = model.run(new RunRequest(examples.stream().map(Example::ids).toList(), RunRequest.Padding.RIGHT,
                Set.of(hook), List.of(), RunRequest.LogitsMode.NONE));
        Tensor act = r.activation(hook);
        float[][] out = new float[examples.size()][];
        for (int b = 0; b < examples.size(); b++) {
            out[b] = act.select(b).select(r.lengths()[b] - 1).toArray();
        }
        return out;
    }
}
