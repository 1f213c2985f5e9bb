package dev.loupe.method.obsprop;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The feature vectors of the user's observable: with a prompt, every head and MLP, paths through later MLPs
 * linearised at the prompt's last token, and the final LayerNorm's √d·W rule checked against its exact gradient on
 * the prompt's tokens; without one, the heads' direct paths only (weights alone, no data).
 *
 * @param observable the expression as given
 * @param ranked     components by the norm of their feature vector, largest first
 * @param finalNorm  the LayerNorm check on the prompt's tokens (null without a prompt)
 */
public record ObservableFeatures(String observable, List<Row> ranked, LayerNormCheck finalNorm)
        implements dev.loupe.api.spi.TextSummary {
    /** Rows of the ranking {@link #lines} lists; the JSON has them all. */
    public static final int SHOWN = 10;

    /** One component and the norm of its feature vector. */
    public record Row(String name, int layer, int head, double norm) {}

    @Override
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("rank  component   ||feature vector||   for " + observable);
        for (int i = 0; i < Math.min(SHOWN, ranked.size()); i++) {
            out.add(String.format("%4d  %-10s %10.4f", i + 1, ranked.get(i).name(), ranked.get(i).norm()));
        }
        if (ranked.size() > SHOWN) {
            out.add("      (" + (ranked.size() - SHOWN) + " more in the JSON)");
        }
        if (finalNorm != null) {
            out.add(String.format("final LayerNorm, d = %d: exact gradient vs sqrt(d) W*y rule, mean cosine %.4f "
                    + "(%.2f deg) on %d tokens of the prompt", finalNorm.dimension(), finalNorm.meanCosine(),
                    finalNorm.meanAngleDegrees(), finalNorm.samples()));
        }
        return out;
    }

    public static ObservableFeatures run(Model model, String expression, Observable n, int[] prompt) {
        List<Row> rows = new ArrayList<>();
        LayerNormCheck check = null;
        if (prompt != null) {
            for (ComponentRanking.Ranked r : ComponentRanking.rank(model, n, prompt, prompt,
                    ComponentRanking.Paths.THROUGH_MLPS)) {
                rows.add(new Row(r.name(), r.layer(), r.head(), r.norm()));
            }
            HookPoint last = HookPoint.of(model.spec().nLayers() - 1, HookSite.RESID_POST);
            Tensor resid = model.run(RunRequest.of(prompt).withCache(last)).activation(last).select(0);
            List<float[]> inputs = new ArrayList<>();
            for (int t = 0; t < prompt.length; t++) {
                inputs.add(resid.select(t).toArray());
            }
            check = LayerNormCheck.over(inputs, model.weights().get("ln_final.w"),
                    n.unembedDirection(model.weights()));
        } else {
            model.spec().requireLinearReadout("ObsProp");
            Tensor direct = FeatureVectors.finalResidual(model.weights(), n);
            for (int l = 0; l < model.spec().nLayers(); l++) {
                for (int h = 0; h < model.spec().nHeads(); h++) {
                    rows.add(new Row("L" + l + "H" + h, l, h,
                            FeatureVectors.head(model.weights(), model.spec(), l, h, direct).norm()));
                }
            }
            rows.sort(java.util.Comparator.comparingDouble(Row::norm).reversed());
        }
        return new ObservableFeatures(expression, List.copyOf(rows), check);
    }
}
