package dev.loupe.studies.toyworld.circuit;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.dictionary.Transcoder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A greater-than prompt once per two-digit year 00..99 at its YY position, run once with every layer's LN1 and
 * LN2 output cached: what the in-context curves over YY read.
 *
 * @param ids        the prompt
 * @param yyPosition the token position of YY
 * @param years      the token id of each year 00..99
 */
record YearPrompts(int[] ids, int yyPosition, int[] years, RunResult run) {
    static YearPrompts run(Model model, int[] ids, int yyPosition, int[] years) {
        List<int[]> prompts = new ArrayList<>();
        for (int year : years) {
            prompts.add(withYear(ids, yyPosition, year));
        }
        Set<HookPoint> hooks = new LinkedHashSet<>();
        for (int l = 0; l < model.spec().nLayers(); l++) {
            hooks.add(HookPoint.of(l, HookSite.LN1_OUT));
            hooks.add(HookPoint.of(l, HookSite.LN2_OUT));
        }
        return new YearPrompts(ids.clone(), yyPosition, years.clone(), model.run(new RunRequest(prompts,
                RunRequest.Padding.RIGHT, hooks, List.of(), RunRequest.LogitsMode.NONE)));
    }

    /** The prompt with the two-digit year y (00..99) at the YY position. */
    int[] prompt(int y) {
        return withYear(ids, yyPosition, years[y]);
    }

    private static int[] withYear(int[] ids, int yyPosition, int yearToken) {
        int[] p = ids.clone();
        p[yyPosition] = yearToken;
        return p;
    }

    /** For each YY: v · (the head layer's normalised input at the YY token). */
    double[] readAtYy(float[] v, int headLayer) {
        var acts = run.activation(HookPoint.of(headLayer, HookSite.LN1_OUT));
        double[] out = new double[years.length];
        for (int y = 0; y < years.length; y++) {
            float[] x = acts.select(y).select(yyPosition).toArray();
            for (int k = 0; k < x.length; k++) {
                out[y] += x[k] * v[k];
            }
        }
        return out;
    }

    /** For each YY: the transcoder's feature activations at the last token, [year][feature]. */
    float[][] codes(int layer, Transcoder t) {
        var x = run.activation(HookPoint.of(layer, HookSite.LN2_OUT));
        float[][] out = new float[years.length][];
        for (int y = 0; y < years.length; y++) {
            out[y] = t.encode(x.select(y).select(ids.length - 1).toArray());
        }
        return out;
    }
}
