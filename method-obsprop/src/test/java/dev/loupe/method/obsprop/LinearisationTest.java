package dev.loupe.method.obsprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MLP linearisation, the chained residual directions and virtual heads on the embedded model. */
class LinearisationTest {
    private static Model model;
    private static Tokenizer tok;

    @BeforeAll
    static void load() {
        model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()));
        tok = model.tokenizer();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static int[] prompt(String text) {
        int[] body = tok.encode(text);
        int[] ids = new int[body.length + 1];
        ids[0] = tok.bosId().orElse(0);
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    private static Observable sheMinusHe() {
        return Observable.difference(tok.encode("she")[0], tok.encode("he")[0]);
    }

    @Test
    void theLinearisationPointIsAZeroOfTheObservablesMlpOutputAndItsGradientIsExact() {
        int[] he = prompt("John worked as a pilot . Later ,");
        int[] she = prompt("Mary worked as a pilot . Later ,");
        Tensor y = FeatureVectors.finalResidual(model.weights(), sheMinusHe());
        MlpLinearisation lin = MlpLinearisation.at(model, 0, he, she, y);
        assertTrue(lin.bracketed(), "the layer-0 MLP pushes she - he apart: " + lin.atNegative() + " vs " + lin.atPositive());
        assertTrue(lin.atNegative() < 0 && lin.atPositive() > 0);
        HookPoint mid = HookPoint.parse("blocks.0.hook_resid_mid");
        Tensor xNeg = last(model.run(RunRequest.of(he).withCache(mid)).activation(mid));
        Tensor xPos = last(model.run(RunRequest.of(she).withCache(mid)).activation(mid));
        Tensor star = MlpLinearisation.lerp(xNeg, xPos, lin.t());
        assertEquals(0, mlpDot(he, star, y), 1e-3 * Math.abs(lin.atPositive()), "y·MLP(x*) = 0");
        // The exact gradient predicts a small step: central differences along a random direction.
        Random r = new Random(2);
        float[] dir = new float[star.numel()];
        for (int i = 0; i < dir.length; i++) {
            dir[i] = (float) r.nextGaussian();
        }
        Tensor step = Tensor.vector(dir).scale((float) (1e-2 / Tensor.vector(dir).norm()));
        double numeric = (mlpDot(he, star.add(step), y) - mlpDot(he, star.sub(step), y)) / 2;
        assertEquals(numeric, lin.residGradient().dot(step), 2e-2 * Math.abs(numeric) + 1e-5);
        assertEquals(lin.vector().norm(), FeatureVectors.throughLayerNorm(lin.gradient(),
                model.weights().get("blocks.0.ln2.w")).norm(), 1e-3);
    }

    private static double mlpDot(int[] ids, Tensor x, Tensor y) {
        HookPoint mid = HookPoint.parse("blocks.0.hook_resid_mid");
        HookPoint out = HookPoint.parse("blocks.0.hook_mlp_out");
        int d = x.numel();
        float[] value = new float[ids.length * d];
        System.arraycopy(x.toArray(), 0, value, (ids.length - 1) * d, d);
        Tensor mlp = model.run(RunRequest.of(ids).withCache(out).withInterventions(
                new Intervention.Replace(mid, Tensor.of(value, ids.length, d), Positions.of(-1)))).activation(out);
        return last(mlp).dot(y);
    }

    private static Tensor last(Tensor act) {
        Tensor seq = act.select(0);
        return seq.select(seq.size(0) - 1);
    }

    @Test
    void chainedDirectionsAddEachLaterMlpToTheSkipPath() {
        int[] he = prompt("John worked as a pilot . Later ,");
        int[] she = prompt("Mary worked as a nurse . Later ,");
        ComponentRanking.Chain c = ComponentRanking.chain(model, sheMinusHe(), he, she);
        Tensor yf = FeatureVectors.finalResidual(model.weights(), sheMinusHe());
        int last = model.spec().nLayers() - 1;
        assertEquals(0, c.residPre()[last].maxAbsDiff(yf.add(c.mlps()[last].residGradient())), 1e-4);
        assertEquals(0, c.residPre()[0].maxAbsDiff(c.residPre()[1].add(c.mlps()[0].residGradient())), 1e-4);
        List<ComponentRanking.Ranked> ranked = ComponentRanking.rank(model, sheMinusHe(), he, she,
                ComponentRanking.Paths.THROUGH_MLPS);
        assertEquals(model.spec().nLayers() * (model.spec().nHeads() + 1), ranked.size());
        assertEquals("L0H2", ranked.stream().filter(x -> !x.isMlp()).findFirst().orElseThrow().name(),
                "the name mover of the toy model leads once paths through the MLPs count");
    }

    @Test
    void virtualHeadsComposeTwoOvCircuits() {
        var w = model.weights();
        var s = model.spec();
        Tensor y = FeatureVectors.finalResidual(w, sheMinusHe());
        Tensor composed = FeatureVectors.head(w, s, 0, 1, FeatureVectors.head(w, s, 2, 3, y));
        Tensor virtual = FeatureVectors.virtualHead(w, s, new FeatureVectors.HeadRef(0, 1),
                new FeatureVectors.HeadRef(2, 3), y);
        assertEquals(0, composed.maxAbsDiff(virtual), 0);
        LoupeException e = assertThrows(LoupeException.class, () -> FeatureVectors.virtualHead(w, s,
                new FeatureVectors.HeadRef(2, 0), new FeatureVectors.HeadRef(1, 0), y));
        assertEquals("a virtual head needs the first head in an earlier layer, got L2H0 then L1H0", e.getMessage());
    }

    @Test
    void meanAblationReplacesOneHeadByItsMeanOverRealTokens() {
        // z [batch 2, pos 2, heads 2, d_head 1]; sequence 0 is left-padded (length 1).
        Tensor z = Tensor.of(new float[] {9, 1, 2, 3, 4, 5, 6, 7}, 2, 2, 2, 1);
        Tensor out = HeadAblation.withHeadMean(z, 0, new int[] {1, 2});
        // head 0 real values: 2 (seq 0, pos 1), 4 and 6 (seq 1) -> mean 4
        assertEquals(Tensor.of(new float[] {4, 1, 4, 3, 4, 5, 4, 7}, 2, 2, 2, 1), out);
    }
}
