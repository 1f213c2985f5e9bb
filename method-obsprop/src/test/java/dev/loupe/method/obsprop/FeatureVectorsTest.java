package dev.loupe.method.obsprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.Weights;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Head feature vectors on the embedded model, for the she − he observable. */
class FeatureVectorsTest {
    @Test
    void ovFeatureVectorReproducesTheHeadsOutputAlongADirection() {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            Tokenizer tok = m.tokenizer();
            Weights w = m.weights();
            Observable n = Observable.difference(tok.encode("she")[0], tok.encode("he")[0]);
            Tensor y = FeatureVectors.finalResidual(w, n);
            int[] ids = tok.encode("Mary worked as a pilot . Later ,");
            int layer = 2;
            HookPoint xHook = HookPoint.parse("blocks." + layer + ".ln1.hook_out");
            HookPoint zHook = HookPoint.parse("blocks." + layer + ".attn.hook_z");
            HookPoint aHook = HookPoint.parse("blocks." + layer + ".attn.hook_pattern");
            RunResult r = m.run(RunRequest.of(ids).withCache(xHook, zHook, aHook));
            int q = ids.length - 1;
            for (int h = 0; h < m.spec().nHeads(); h++) {
                // The head's actual output at the last position, read along y: (z_h W_O^h) · y.
                Tensor z = r.activation(zHook).select(0).select(q).select(h);
                double actual = Tensor.vector(w.get("blocks." + layer + ".attn.W_O").select(h).transpose()
                        .matVec(z.toArray())).dot(y);
                // The prediction: Σ_k A[q,k] (x_k · W_V W_O y) + (b_V W_O y).
                Tensor f = FeatureVectors.ov(w, m.spec(), layer, h, y);
                double predicted = 0;
                for (int k = 0; k <= q; k++) {
                    predicted += r.activation(aHook).get(0, h, q, k) * r.activation(xHook).select(0).select(k).dot(f);
                }
                Tensor bv = w.get("blocks." + layer + ".attn.b_V").select(h);
                predicted += Tensor.vector(w.get("blocks." + layer + ".attn.W_O").select(h).matVec(y.toArray())).dot(bv);
                assertEquals(actual, predicted, 1e-3 * Math.max(1, Math.abs(actual)), "head " + h);
            }
        }
    }

    @Test
    void headsAreRankedByFeatureVectorNorm() {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            Tokenizer tok = m.tokenizer();
            List<FeatureVectors.HeadVector> ranked = FeatureVectors.rankHeads(m.weights(), m.spec(),
                    Observable.difference(tok.encode("she")[0], tok.encode("he")[0]));
            assertEquals(m.spec().nLayers() * m.spec().nHeads(), ranked.size());
            for (int i = 1; i < ranked.size(); i++) {
                assertTrue(ranked.get(i - 1).norm() >= ranked.get(i).norm());
            }
        }
    }

    @Test
    void theExactLayerNormOptionPointsWhereTheRuleDoes() {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            Tokenizer tok = m.tokenizer();
            Weights w = m.weights();
            Tensor y = FeatureVectors.finalResidual(w, Observable.difference(tok.encode("she")[0], tok.encode("he")[0]));
            int[] ids = tok.encode("Mary worked as a pilot . Later ,");
            HookPoint resid = HookPoint.parse("blocks.3.hook_resid_pre");
            float[] x = m.run(RunRequest.of(ids).withCache(resid)).activation(resid).select(0).select(1).toArray();
            Tensor exact = FeatureVectors.headExact(w, m.spec(), 3, 2, y, x);
            Tensor rule = FeatureVectors.head(w, m.spec(), 3, 2, y);
            assertTrue(Coupling.cosine(exact, rule) > 0.95, "cosine " + Coupling.cosine(exact, rule));
        }
    }
}
