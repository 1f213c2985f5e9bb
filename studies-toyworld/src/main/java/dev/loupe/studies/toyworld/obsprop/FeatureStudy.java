package dev.loupe.studies.toyworld.obsprop;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.method.obsprop.ComponentRanking;
import dev.loupe.method.obsprop.Coupling;
import dev.loupe.method.obsprop.HeadAblation;
import dev.loupe.method.obsprop.LayerNormCheck;
import dev.loupe.method.obsprop.Observable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * ObsProp's weights-only ranking of components on the pronoun task, checked against mean-ablation, and the mover
 * head's subject and object feature vectors compared.
 *
 * @param byNorm        every head and MLP, largest feature-vector norm first
 * @param byAblation    every head, largest |mean-ablation effect| on the subject observable first
 * @param topThreeShared how many of the top 3 heads by ablation are among the top 3 heads by norm
 * @param mover         the head with the largest ablation effect
 * @param moverCosine   cosine between the mover's subject and object feature vectors
 * @param finalNormReal the √d·W rule against the exact gradient of the final LayerNorm, at every real token
 * @param finalNormGaussian the same for Gaussian inputs, a Gaussian y and unit gain at the model's d (the theorem's
 *                          setting)
 * @param prompts       pronoun prompts the ablation ranking averages over
 */
public record FeatureStudy(List<Row> byNorm, List<HeadAblation.Effect> byAblation, int topThreeShared, String mover,
                           double moverCosine, LayerNormCheck finalNormReal, LayerNormCheck finalNormGaussian,
                           int prompts) implements TextSummary {
    /** One component: its name, layer, head (−1 for an MLP) and feature-vector norm. */
    public record Row(String name, int layer, int head, double norm) {}

    public static FeatureStudy run(Model model, int prompts, ComponentRanking.Paths paths, long seed) {
        var tok = model.tokenizer();
        Observable subject = PronounPrompts.subjectObservable(tok);
        Observable object = PronounPrompts.objectObservable(tok);
        List<PronounPrompts> data = PronounPrompts.sample(tok, prompts, false, true, seed);
        List<PronounPrompts> objects = PronounPrompts.sample(tok, 2 * 8, false, false, seed);
        List<ComponentRanking.Ranked> ranked = ComponentRanking.rank(model, subject, PronounPrompts.first(data, 0),
                PronounPrompts.first(data, 1), paths);
        List<ComponentRanking.Ranked> rankedObject = ComponentRanking.rank(model, object, PronounPrompts.first(objects, 0),
                PronounPrompts.first(objects, 1), paths);
        List<Row> byNorm = ranked.stream().map(r -> new Row(r.name(), r.layer(), r.head(), r.norm())).toList();
        List<HeadAblation.Effect> byAblation = HeadAblation.rank(model, data.stream().map(PronounPrompts::ids).toList(),
                data.stream().mapToDouble(PronounPrompts::sign).toArray(), subject);
        List<String> topNorm = byNorm.stream().filter(r -> r.head() >= 0).limit(3).map(Row::name).toList();
        int shared = (int) byAblation.stream().limit(3).filter(e -> topNorm.contains(name(e))).count();
        String mover = name(byAblation.get(0));
        Tensor gain = model.weights().get("ln_final.w");
        return new FeatureStudy(byNorm, byAblation, shared, mover,
                Coupling.cosine(vectorOf(ranked, mover), vectorOf(rankedObject, mover)),
                LayerNormCheck.over(finalResiduals(model, data), gain, subject.unembedDirection(model.weights())),
                LayerNormCheck.gaussian(Tensor.of(ones(gain.numel()), gain.numel()), 2000, seed), prompts);
    }

    @Override
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("rank  by feature-vector norm (no data)   by mean-ablation effect (" + prompts + " prompts)");
        for (int i = 0; i < byNorm.size(); i++) {
            Row r = byNorm.get(i);
            String ablation = "";
            if (i < byAblation.size()) {
                HeadAblation.Effect e = byAblation.get(i);
                ablation = String.format("L%dH%d %+.3f", e.layer(), e.head(), e.effect());
            }
            out.add(String.format("%4d  %-10s %8.3f                  %s", i + 1, r.name(), r.norm(), ablation));
        }
        out.add(String.format("top-3 heads by ablation among the top-3 heads by norm: %d of 3", topThreeShared));
        out.add(String.format("mover head %s: cosine(subject, object feature vectors) = %.3f", mover, moverCosine));
        out.add(String.format("final LayerNorm, d = %d: exact gradient vs sqrt(d) W*y rule, mean cosine %.4f (%.2f deg) "
                + "on %d real tokens, %.4f (%.2f deg) on Gaussian inputs with unit gain; the theorem's bound "
                + "sqrt(pi/2d) = %.2f deg", finalNormReal.dimension(), finalNormReal.meanCosine(),
                finalNormReal.meanAngleDegrees(), finalNormReal.samples(), finalNormGaussian.meanCosine(),
                finalNormGaussian.meanAngleDegrees(), finalNormGaussian.boundDegrees()));
        return out;
    }

    private static float[] ones(int d) {
        float[] v = new float[d];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    /** The last block's resid_post at every real token: the final LayerNorm's inputs. */
    private static List<float[]> finalResiduals(Model model, List<PronounPrompts> data) {
        HookPoint hook = HookPoint.of(model.spec().nLayers() - 1, HookSite.RESID_POST);
        RunResult r = model.run(new RunRequest(data.stream().map(PronounPrompts::ids).toList(), RunRequest.Padding.RIGHT,
                Set.of(hook), List.of(), RunRequest.LogitsMode.NONE));
        List<float[]> out = new ArrayList<>();
        for (int b = 0; b < data.size(); b++) {
            for (int t = 1; t < r.lengths()[b]; t++) {
                out.add(r.activation(hook).select(b).select(t).toArray());
            }
        }
        return out;
    }

    static Tensor vectorOf(List<ComponentRanking.Ranked> ranked, String name) {
        return ranked.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow().vector();
    }

    static String name(HeadAblation.Effect e) {
        return "L" + e.layer() + "H" + e.head();
    }
}
