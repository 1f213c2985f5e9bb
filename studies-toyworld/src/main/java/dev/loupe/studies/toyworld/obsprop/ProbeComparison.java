package dev.loupe.studies.toyworld.obsprop;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.method.obsprop.ComponentRanking;
import dev.loupe.method.obsprop.ProbeCurve;
import dev.loupe.method.obsprop.Probes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Data efficiency on the pronoun task: how well one direction separates the two name classes in the residual
 * stream at the last token ({@code blocks.L.hook_resid_pre}, after the mover head has copied the name there),
 * scored by AUC on held-out prompts, where occupations often point the other way. ObsProp's direction is the
 * she − he observable's feature vector at that layer (skip path + later MLPs; one prompt per class linearises the
 * MLPs); the probes are trained on k tokens per class from training prompts, averaged over repeated draws.
 *
 * @param hook    where the activations are read
 * @param obsProp ObsProp's AUC (1 example per class)
 * @param curve   one row per k
 * @param heldOut held-out prompts scored
 */
public record ProbeComparison(String hook, double obsProp, List<ProbeCurve.Row> curve, int heldOut)
        implements TextSummary {
    public static final int[] KS = {1, 2, 4, 8, 16, 32};

    @Override
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format("AUC on %d held-out tokens (every token after the name, labelled by the name's class; "
                + "%s)", heldOut, hook));
        out.addAll(ProbeCurve.lines(obsProp, curve));
        return out;
    }

    public static ProbeComparison run(Model model, int layer, int heldOut, int repeats, long seed) {
        if (layer < 0 || layer >= model.spec().nLayers()) {
            throw new dev.loupe.api.LoupeException("layer " + layer + " is outside a model with "
                    + model.spec().nLayers() + " layers");
        }
        var tok = model.tokenizer();
        List<PronounPrompts> train = new ArrayList<>(PronounPrompts.sample(tok, 400, false, true, seed));
        List<PronounPrompts> test = PronounPrompts.sample(tok, heldOut, true, true, seed + 1);
        HookPoint hook = HookPoint.of(layer, HookSite.RESID_PRE);
        Tokens trainTokens = tokens(model, hook, train);
        Tokens testTokens = tokens(model, hook, test);
        float[][] xTrain = trainTokens.x();
        float[][] xTest = testTokens.x();
        int[] yTrain = trainTokens.labels();
        int[] yTest = testTokens.labels();
        Tensor y = ComponentRanking.chain(model, PronounPrompts.subjectObservable(tok), PronounPrompts.first(train, 0),
                PronounPrompts.first(train, 1)).residPre()[layer];
        double obsProp = Probes.auc(Probes.scores(xTest, y), yTest);
        Random rnd = new Random(seed + 2);
        List<ProbeCurve.Row> curve = ProbeCurve.of(xTrain, yTrain, xTest, yTest, KS, Integer.MAX_VALUE, repeats,
                rnd);
        return new ProbeComparison(hook.name(), obsProp, curve, yTest.length);
    }

    /** Rows of every token after the name (position 2 on), labelled by the prompt's class. */
    private record Tokens(float[][] x, int[] labels) {}

    private static Tokens tokens(Model model, HookPoint hook, List<PronounPrompts> prompts) {
        var r = model.run(new RunRequest(prompts.stream().map(PronounPrompts::ids).toList(),
                RunRequest.Padding.RIGHT, java.util.Set.of(hook), List.of(), RunRequest.LogitsMode.NONE));
        Tensor act = r.activation(hook);
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int b = 0; b < prompts.size(); b++) {
            for (int t = 2; t < r.lengths()[b]; t++) {
                rows.add(act.select(b).select(t).toArray());
                labels.add(prompts.get(b).label());
            }
        }
        return new Tokens(rows.toArray(float[][]::new), labels.stream().mapToInt(Integer::intValue).toArray());
    }
}
