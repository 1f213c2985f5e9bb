package dev.loupe.spark;

import dev.loupe.method.transcoder.ActivationHarvest;
import dev.loupe.method.transcoder.TranscoderMetrics;
import dev.loupe.method.transcoder.TranscoderTraining;
import java.io.Serializable;

/**
 * One trained dictionary of a sweep, under SAELens's metric names: where it is, what it was trained with, and how it
 * scores on the held-out text ({@link TranscoderMetrics}).
 */
public record SweepRow(String name, int layer, String hookIn, String hookOut, String architecture, int expansion,
                       int dSae, double l1, int steps, int resumedFromStep, double l0, double mse,
                       double explainedVariance, double ceLossScore, double klDivWithSae, double deadFraction,
                       long evalTokens, boolean best) implements Serializable {

    static SweepRow of(SweepJob.Dictionary d, ActivationHarvest h, TranscoderTraining.Config c,
                       TranscoderTraining.Result r, TranscoderMetrics x) {
        return new SweepRow(d.name(), h.hookIn().layer(), h.hookIn().name(), h.hookOut().name(), d.architecture(),
                d.expansion(), r.transcoder().dSae(), d.l1(), c.steps(), r.resumedFrom(), x.l0(), x.mse(),
                x.explainedVariance(), x.ceLossScore(), x.klDivWithSae(), x.deadFraction(), x.tokens(), false);
    }

    SweepRow markedBest(boolean b) {
        return new SweepRow(name, layer, hookIn, hookOut, architecture, expansion, dSae, l1, steps, resumedFromStep,
                l0, mse, explainedVariance, ceLossScore, klDivWithSae, deadFraction, evalTokens, b);
    }
}
