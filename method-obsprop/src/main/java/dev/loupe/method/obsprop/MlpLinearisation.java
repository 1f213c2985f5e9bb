package dev.loupe.method.obsprop;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.objective.GradientResult;
import dev.loupe.api.objective.Objective;
import java.util.Set;

/**
 * An MLP's feature vector for a downstream direction y, linearised where the path stops being linear: the MLP
 * block's input x ({@code blocks.L.hook_resid_mid}, last token) is moved along the segment between one negative
 * and one positive prompt's inputs to the point x* where y·MLP(LN2(x*)) = 0, found by bisection (the zero
 * crossing avoids the saturated gradients at either end), and the gradient is taken there.
 *
 * @param vector feature vector in resid_mid: the gradient with respect to the normalised input
 *               ({@code ln2.hook_out}) crossed through LN2 by the √d·W rule (scale dropped, as the paper)
 * @param gradient the gradient with respect to {@code ln2.hook_out}
 * @param residGradient the exact gradient with respect to resid_mid (LN2 included, scale kept): what chains
 *                      with the skip connection when paths through several MLPs are summed
 * @param t where x* lies: x* = x_neg + t (x_pos − x_neg)
 * @param atNegative y·MLP(u_neg)
 * @param atPositive y·MLP(u_pos)
 * @param bracketed whether the two ends had opposite signs (otherwise u* is the end closer to zero)
 */
public record MlpLinearisation(Tensor vector, Tensor gradient, Tensor residGradient, double t, double atNegative, double atPositive,
                               boolean bracketed) {
    private static final int BISECTIONS = 24;

    public static MlpLinearisation at(Model model, int layer, int[] negative, int[] positive, Tensor y) {
        model.spec().requireLinearReadout("ObsProp");
        if (layer < 0 || layer >= model.spec().nLayers()) {
            throw new LoupeException("MLP layer " + layer + " is out of range for a model with "
                    + model.spec().nLayers() + " layers");
        }
        HookPoint in = HookPoint.of(layer, HookSite.RESID_MID);
        Tensor uNeg = lastRow(model.run(RunRequest.of(negative).withCache(in)).activation(in));
        Tensor uPos = lastRow(model.run(RunRequest.of(positive).withCache(in)).activation(in));
        Probe probe = new Probe(model, layer, negative, y);
        double fNeg = probe.value(uNeg);
        double fPos = probe.value(uPos);
        double lo = 0;
        double hi = 1;
        double t;
        boolean bracketed = Math.signum(fNeg) != Math.signum(fPos);
        if (bracketed) {
            double fLo = fNeg;
            for (int i = 0; i < BISECTIONS; i++) {
                double mid = (lo + hi) / 2;
                double f = probe.value(lerp(uNeg, uPos, mid));
                if (Math.signum(f) == Math.signum(fLo)) {
                    lo = mid;
                    fLo = f;
                } else {
                    hi = mid;
                }
            }
            t = (lo + hi) / 2;
        } else {
            t = Math.abs(fNeg) <= Math.abs(fPos) ? 0 : 1;
        }
        GradientResult g = probe.gradients(lerp(uNeg, uPos, t));
        Tensor gradient = lastRow(g.activationGradients().get(probe.normalised()));
        Tensor residGradient = g.parameterGradients().get(0).select(negative.length - 1);
        Tensor vector = FeatureVectors.throughLayerNorm(gradient, model.weights().get("blocks." + layer + ".ln2.w"));
        return new MlpLinearisation(vector, gradient, residGradient, t, fNeg, fPos, bracketed);
    }

    static Tensor lerp(Tensor a, Tensor b, double t) {
        return a.add(b.sub(a).scale((float) t));
    }

    private static Tensor lastRow(Tensor act) {
        Tensor seq = act.select(0);
        return seq.select(seq.size(0) - 1);
    }

    /** y·MLP(u) at the last position of one prompt, with u patched in. */
    private record Probe(Model model, int layer, int[] ids, Tensor y) {
        HookPoint in() {
            return HookPoint.of(layer, HookSite.RESID_MID);
        }

        HookPoint normalised() {
            return HookPoint.of(layer, HookSite.LN2_OUT);
        }

        HookPoint out() {
            return HookPoint.of(layer, HookSite.MLP_OUT);
        }

        RunRequest patched(Tensor u) {
            int d = u.numel();
            float[] value = new float[ids.length * d];
            System.arraycopy(u.toArray(), 0, value, (ids.length - 1) * d, d);
            return RunRequest.of(ids).withInterventions(
                    new Intervention.Replace(in(), Tensor.of(value, ids.length, d), Positions.of(-1)));
        }

        double value(Tensor u) {
            return lastRow(model.run(patched(u).withCache(out())).activation(out())).dot(y);
        }

        GradientResult gradients(Tensor u) {
            Objective dot = new Objective.HookDot(out(), 0, ids.length - 1, y);
            return model.gradients(new GradientRequest(patched(u), dot, Set.of(0), Set.of(normalised())));
        }
    }
}
