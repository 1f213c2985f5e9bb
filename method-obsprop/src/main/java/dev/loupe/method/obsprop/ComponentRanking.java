package dev.loupe.method.obsprop;

import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The feature vector of every attention head and every MLP for an observable, ranked by norm. Heads need no data;
 * each MLP is linearised between one negative and one positive prompt ({@link MlpLinearisation}).
 *
 * <p>{@link Paths#DIRECT}: each component read directly at the output. {@link Paths#THROUGH_MLPS}: each component
 * read through the residual stream and every later MLP — the sum over the paths component → MLP_a → … → output, one
 * linearisation per MLP, chained last layer first: d ← d + J_MLPᵀ d with LN2 crossed exactly (the paths add, so
 * their scales must agree). Heads in early layers whose effect reaches the logits through MLPs only show up here.
 */
public final class ComponentRanking {
    /** Which paths a component's feature vector sums. */
    public enum Paths { DIRECT, THROUGH_MLPS }

    /** One component's feature vector, in the residual stream it reads from. */
    public record Ranked(String name, int layer, int head, Tensor vector) {
        public double norm() {
            return vector.norm();
        }

        public boolean isMlp() {
            return head < 0;
        }
    }

    private ComponentRanking() {}

    public static List<Ranked> rank(Model model, Observable n, int[] negative, int[] positive, Paths paths) {
        model.spec().requireLinearReadout("ObsProp");
        var w = model.weights();
        var spec = model.spec();
        Tensor direct = FeatureVectors.finalResidual(w, n);
        Chain chain = paths == Paths.THROUGH_MLPS ? chain(model, n, negative, positive) : null;
        List<Ranked> out = new ArrayList<>();
        for (int l = 0; l < spec.nLayers(); l++) {
            MlpLinearisation mlp = chain != null ? chain.mlps()[l]
                    : MlpLinearisation.at(model, l, negative, positive, direct);
            out.add(new Ranked("L" + l + " MLP", l, -1, mlp.vector()));
            Tensor y = chain != null ? chain.residPre()[l] : direct;
            for (int h = 0; h < spec.nHeads(); h++) {
                out.add(new Ranked("L" + l + "H" + h, l, h, FeatureVectors.head(w, spec, l, h, y)));
            }
        }
        out.sort(Comparator.comparingDouble(Ranked::norm).reversed());
        return out;
    }

    /**
     * The observable's direction in the residual stream at each layer's input (last token), summed over the skip
     * path and every later MLP, and each MLP's linearisation for its downstream direction.
     *
     * @param residPre [layer] direction in {@code blocks.l.hook_resid_pre} (and resid_mid: the heads of layer l
     *                 write where this reads)
     * @param mlps     [layer] the MLP's linearisation
     */
    public record Chain(Tensor[] residPre, MlpLinearisation[] mlps) {}

    public static Chain chain(Model model, Observable n, int[] negative, int[] positive) {
        model.spec().requireLinearReadout("ObsProp");
        int layers = model.spec().nLayers();
        Tensor d = FeatureVectors.finalResidual(model.weights(), n);
        Tensor[] resid = new Tensor[layers];
        MlpLinearisation[] mlps = new MlpLinearisation[layers];
        for (int l = layers - 1; l >= 0; l--) {
            mlps[l] = MlpLinearisation.at(model, l, negative, positive, d);
            d = d.add(mlps[l].residGradient());
            resid[l] = d;
        }
        return new Chain(resid, mlps);
    }
}
