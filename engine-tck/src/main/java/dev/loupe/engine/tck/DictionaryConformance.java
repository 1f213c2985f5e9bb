package dev.loupe.engine.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction.SparseMlp;
import dev.loupe.api.spi.ModelSource;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The sparse-dictionary part of the conformance kit: every {@link SparseMlp} kind (ReLU, JumpReLU, TopK, gated; a
 * skip path; constant-norm and layer-norm input normalisation) spliced in as a transcoder and as an SAE at its own
 * hook, and {@link Intervention.ClampFeature} on both, equal to the api's plain-Java reference within 1e-4 on
 * the GPT-2 golden checkpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DictionaryConformance extends ExtensionConformance {
    private static final double TOLERANCE = 1e-4;
    private static final HookPoint LN2 = HookPoint.of(0, HookSite.LN2_OUT);
    private static final HookPoint MLP_OUT = HookPoint.of(0, HookSite.MLP_OUT);
    private static final HookPoint RESID = HookPoint.residPre(1);
    private Model dictionaryModel;
    private int[] ids;

    @BeforeAll
    void loadDictionaryModel() {
        dictionaryModel = engine().load(ModelSource.directory(GoldenFixtures.directory("gpt2-tiny")));
        ids = GoldenFixtures.ids("gpt2-tiny", 1);
    }

    @AfterAll
    void closeDictionaryModel() {
        dictionaryModel.close();
    }

    /** One dictionary of each kind, 64 → 32 features → 64, weights from a fixed seed. */
    static List<SparseMlp> everyKind() {
        Random rnd = new Random(17);
        java.util.function.IntFunction<Tensor> vec = n -> {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) (rnd.nextGaussian() * 0.3);
            }
            return Tensor.vector(a);
        };
        Tensor wEnc = vec.apply(64 * 32).reshape(64, 32);
        Tensor wDec = vec.apply(32 * 64).reshape(32, 64);
        return List.of(
                new SparseMlp(wEnc, vec.apply(32), wDec, vec.apply(64), vec.apply(64)),
                new SparseMlp(wEnc, vec.apply(32), wDec, vec.apply(64), vec.apply(64),
                        new SparseActivation.JumpRelu(vec.apply(32)), null, null),
                new SparseMlp(wEnc, vec.apply(32), wDec, vec.apply(64), vec.apply(64), new SparseActivation.TopK(5),
                        null, null),
                new SparseMlp(wEnc, vec.apply(32), wDec, vec.apply(64), vec.apply(64),
                        new SparseActivation.Gated(vec.apply(32), vec.apply(32)), null, null),
                new SparseMlp(wEnc, vec.apply(32), wDec, vec.apply(64), vec.apply(64), null,
                        vec.apply(64 * 64).reshape(64, 64), null),
                new SparseMlp(wEnc, vec.apply(32), wDec, vec.apply(64), vec.apply(64), null, null,
                        InputNormalization.CONSTANT_NORM_RESCALE),
                new SparseMlp(wEnc, vec.apply(32), wDec, vec.apply(64), vec.apply(64), null, null,
                        InputNormalization.LAYER_NORM));
    }

    private static String describe(SparseMlp f) {
        return f.activation() + " skip=" + (f.wSkip() != null) + " " + f.normalization();
    }

    @Test
    void everySparseMlpKindSplicesAsTheReferenceComputes() {
        for (SparseMlp f : everyKind()) {
            RunResult r = dictionaryModel.run(RunRequest.of(ids).withCache(LN2, MLP_OUT)
                    .withInterventions(new Intervention.Splice(MLP_OUT, LN2, f, Positions.all())));
            Tensor x = r.activation(LN2).select(0);
            Tensor y = r.activation(MLP_OUT).select(0);
            for (int p = 0; p < x.size(0); p++) {
                float[] expected = f.forward(x.select(p).toArray());
                assertTrue(Tensor.vector(expected).maxAbsDiff(y.select(p)) < TOLERANCE, describe(f) + " at " + p);
            }
        }
    }

    /** An SAE spliced at its own hook replaces the activation by its reconstruction. */
    @Test
    void anSaeSplicesIntoItsOwnHook() {
        Tensor clean = dictionaryModel.run(RunRequest.of(ids).withCache(RESID)).activation(RESID).select(0);
        for (SparseMlp f : everyKind()) {
            Tensor y = dictionaryModel.run(RunRequest.of(ids).withCache(RESID)
                    .withInterventions(new Intervention.Splice(RESID, RESID, f, Positions.all())))
                    .activation(RESID).select(0);
            for (int p = 0; p < clean.size(0); p++) {
                float[] expected = f.forward(clean.select(p).toArray());
                assertTrue(Tensor.vector(expected).maxAbsDiff(y.select(p)) < TOLERANCE, describe(f) + " at " + p);
            }
        }
    }

    /** Clamping an SAE feature moves the activation by (value − z_i) W_dec[i] at the selected positions only. */
    @Test
    void clampingAnSaeFeatureKeepsTheReconstructionError() {
        Tensor clean = dictionaryModel.run(RunRequest.of(ids).withCache(RESID)).activation(RESID).select(0);
        int last = clean.size(0) - 1;
        for (SparseMlp f : everyKind()) {
            var clamp = new Intervention.ClampFeature(RESID, f, 3, 2.5, Positions.of(-1));
            Tensor y = dictionaryModel.run(RunRequest.of(ids).withCache(RESID).withInterventions(clamp))
                    .activation(RESID).select(0);
            for (int p = 0; p < last; p++) {
                assertEquals(0, clean.select(p).maxAbsDiff(y.select(p)), 0, describe(f) + " moved position " + p);
            }
            float[] x = clean.select(last).toArray();
            Tensor expected = Tensor.vector(x).add(Tensor.vector(f.clampDelta(x, 3, 2.5)));
            assertTrue(expected.maxAbsDiff(y.select(last)) < TOLERANCE, describe(f));
            assertTrue(expected.maxAbsDiff(clean.select(last)) > 1e-3, describe(f) + ": the clamp changed nothing");
        }
    }

    /** A transcoder's clamp reads its input hook and writes the MLP's output, every kind. */
    @Test
    void clampingATranscoderFeatureReadsItsInputHook() {
        RunResult cleanRun = dictionaryModel.run(RunRequest.of(ids).withCache(LN2, MLP_OUT));
        Tensor in = cleanRun.activation(LN2).select(0);
        Tensor out = cleanRun.activation(MLP_OUT).select(0);
        for (SparseMlp f : everyKind()) {
            var clamp = new Intervention.ClampFeature(MLP_OUT, LN2, f, 7, 0.0, Positions.all());
            Tensor y = dictionaryModel.run(RunRequest.of(ids).withCache(MLP_OUT).withInterventions(clamp))
                    .activation(MLP_OUT).select(0);
            for (int p = 0; p < in.size(0); p++) {
                Tensor expected = out.select(p).add(Tensor.vector(f.clampDelta(in.select(p).toArray(), 7, 0.0)));
                assertTrue(expected.maxAbsDiff(y.select(p)) < TOLERANCE, describe(f) + " at " + p);
            }
        }
    }

    @Test
    void aClampWhoseDictionaryDoesNotFitTheHookIsRefusedByName() {
        SparseMlp f = everyKind().get(0);
        HookPoint mlpPost = HookPoint.of(0, HookSite.MLP_POST);
        var clamp = new Intervention.ClampFeature(mlpPost, f, 0, 1.0, Positions.all());
        LoupeException e = assertThrows(LoupeException.class,
                () -> dictionaryModel.run(RunRequest.of(ids).withInterventions(clamp)));
        assertTrue(e.getMessage().contains("clamp_feature at 'blocks.0.mlp.hook_post'"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        LoupeException outside = assertThrows(LoupeException.class,
                () -> new Intervention.ClampFeature(RESID, f, 32, 1.0, Positions.all()));
        assertTrue(outside.getMessage().contains("feature 32 is outside the dictionary's 32 features"),
                outside.getMessage());
    }
}
