package dev.loupe.method.obsprop;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The data-driven ranking ObsProp's norm ranking is checked against: each head mean-ablated in turn (its
 * {@code hook_z} replaced at every position by its mean over the prompts' tokens), the effect being the mean
 * signed drop of the observable at the last token, sign(prompt) · (clean − ablated).
 */
public final class HeadAblation {
    /** One head's ablation effect; positive when the head pushes the observable towards each prompt's sign. */
    public record Effect(int layer, int head, double effect) {
        @Override
        public String toString() {
            return String.format("L%dH%d %.4f", layer, head, effect);
        }
    }

    private HeadAblation() {}

    /** Every head's effect, largest |effect| first. {@code signs[i]} is +1 or −1 for prompt i. */
    public static List<Effect> rank(Model model, List<int[]> prompts, double[] signs, Observable n) {
        if (prompts.size() != signs.length || prompts.isEmpty()) {
            throw new LoupeException("head ablation needs one sign per prompt, got " + prompts.size() + " prompts and "
                    + signs.length + " signs");
        }
        int layers = model.spec().nLayers();
        Set<HookPoint> zs = new java.util.LinkedHashSet<>();
        for (int l = 0; l < layers; l++) {
            zs.add(HookPoint.of(l, HookSite.ATTN_Z));
        }
        RunRequest base = new RunRequest(prompts, RunRequest.Padding.LEFT, Set.of(), List.of(), RunRequest.LogitsMode.LAST);
        RunResult clean = model.run(base.withCache(zs));
        double[] cleanValues = observe(clean, n);
        List<Effect> out = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            HookPoint hook = HookPoint.of(l, HookSite.ATTN_Z);
            Tensor z = clean.activation(hook);
            for (int h = 0; h < model.spec().nHeads(); h++) {
                Tensor ablated = withHeadMean(z, h, clean.lengths());
                RunResult r = model.run(base.withInterventions(new Intervention.Replace(hook, ablated, Positions.all())));
                double[] values = observe(r, n);
                double effect = 0;
                for (int i = 0; i < values.length; i++) {
                    effect += signs[i] * (cleanValues[i] - values[i]) / values.length;
                }
                out.add(new Effect(l, h, effect));
            }
        }
        out.sort(Comparator.comparingDouble((Effect e) -> Math.abs(e.effect())).reversed());
        return out;
    }

    private static double[] observe(RunResult r, Observable n) {
        Tensor logits = r.logits();
        double[] v = new double[logits.size(0)];
        for (int b = 0; b < v.length; b++) {
            v[b] = n.apply(logits.select(b).toArray());
        }
        return v;
    }

    /** z [batch, pos, heads, d_head] with head h replaced by its mean over the real (left-padded) tokens. */
    static Tensor withHeadMean(Tensor z, int h, int[] lengths) {
        int batch = z.size(0);
        int pos = z.size(1);
        int heads = z.size(2);
        int dh = z.size(3);
        float[] data = z.toArray();
        double[] mean = new double[dh];
        long count = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = pos - lengths[b]; t < pos; t++) {
                int at = ((b * pos + t) * heads + h) * dh;
                for (int i = 0; i < dh; i++) {
                    mean[i] += data[at + i];
                }
                count++;
            }
        }
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < pos; t++) {
                int at = ((b * pos + t) * heads + h) * dh;
                for (int i = 0; i < dh; i++) {
                    data[at + i] = (float) (mean[i] / count);
                }
            }
        }
        return Tensor.adopt(data, z.shape());
    }
}
