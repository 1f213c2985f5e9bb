package dev.loupe.method.obsprop;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Real activations in the units ObsProp's feature vectors are read in: each layer's {@code hook_resid_pre} at every
 * token of some windows except BOS, centred and divided by its root-mean-square (LayerNorm before its weight, where
 * the √d·W rule applies). What coupling coefficients are checked against.
 */
public final class ResidualSamples {
    private ResidualSamples() {}

    /** [layer] → one row per non-BOS token of the windows. */
    @SuppressWarnings("unchecked")
    public static List<float[]>[] normalisedResidPre(Model model, List<int[]> windows) {
        if (windows.isEmpty()) {
            throw new LoupeException("coupling: the text gave no window of tokens");
        }
        int layers = model.spec().nLayers();
        Set<HookPoint> hooks = new LinkedHashSet<>();
        for (int l = 0; l < layers; l++) {
            hooks.add(HookPoint.of(l, HookSite.RESID_PRE));
        }
        RunResult r = model.run(new RunRequest(windows, RunRequest.Padding.RIGHT, hooks, List.of(),
                RunRequest.LogitsMode.NONE));
        int bos = model.tokenizer().bosId().orElse(-1);
        List<float[]>[] out = new List[layers];
        for (int l = 0; l < layers; l++) {
            out[l] = new ArrayList<>();
            Tensor act = r.activation(HookPoint.of(l, HookSite.RESID_PRE));
            for (int b = 0; b < windows.size(); b++) {
                int[] ids = windows.get(b);
                for (int t = 0; t < ids.length; t++) {
                    if (ids[t] != bos) {
                        out[l].add(normalise(act.select(b).select(t).toArray()));
                    }
                }
            }
        }
        return out;
    }

    static float[] normalise(float[] x) {
        double mean = 0;
        for (float v : x) {
            mean += v / x.length;
        }
        double sq = 0;
        for (float v : x) {
            sq += (v - mean) * (v - mean) / x.length;
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) ((x[i] - mean) / Math.sqrt(sq + 1e-5));
        }
        return out;
    }
}
