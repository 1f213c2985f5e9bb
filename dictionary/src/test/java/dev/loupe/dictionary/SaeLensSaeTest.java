package dev.loupe.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SAELens standard (ReLU) SAEs load as one-hook sparse MLPs. The folders are written here as SAELens 5 and 6 write
 * them (5: hook keys at the top level, {@code activation_fn_str}, {@code finetuning_scaling_factor}; 6: a
 * {@code metadata} object with {@code sae_lens_version}); StandardSAE's forward, restated from its code, is
 * relu((x − b_dec·apply_b_dec_to_input) W_enc + b_enc) W_dec + b_dec.
 */
class SaeLensSaeTest {
    private static final int D = 128;
    private static final int F = 256;

    @TempDir
    Path tmp;

    private static final String V5 = "{\"architecture\": \"standard\", \"d_in\": 128, \"d_sae\": 256, "
            + "\"activation_fn_str\": \"relu\", \"activation_fn_kwargs\": {}, \"apply_b_dec_to_input\": %s, "
            + "\"finetuning_scaling_factor\": false, \"context_size\": 64, \"model_name\": \"toy\", "
            + "\"hook_name\": \"blocks.2.hook_resid_pre\", \"hook_layer\": 2, \"hook_head_index\": null, "
            + "\"prepend_bos\": true, \"dataset_path\": \"toy\", \"dataset_trust_remote_code\": true, "
            + "\"normalize_activations\": \"none\", \"dtype\": \"float32\", \"device\": \"cpu\", "
            + "\"sae_lens_training_version\": \"5.10.0\", \"neuronpedia_id\": null, "
            + "\"model_from_pretrained_kwargs\": {}, \"seqpos_slice\": [null]}";
    private static final String V6 = "{\"d_in\": 128, \"d_sae\": 256, \"dtype\": \"float32\", \"device\": \"cpu\", "
            + "\"apply_b_dec_to_input\": %s, \"normalize_activations\": \"none\", \"reshape_activations\": \"none\", "
            + "\"metadata\": {\"sae_lens_version\": \"6.52.0\", \"sae_lens_training_version\": \"6.52.0\", "
            + "\"model_name\": \"toy\", \"hook_name\": \"blocks.2.hook_resid_pre\", \"hook_head_index\": null, "
            + "\"context_size\": 64, \"prepend_bos\": true}, \"architecture\": \"standard\"}";

    private record Weights(float[] wEnc, float[] bEnc, float[] wDec, float[] bDec) {}

    private Weights folder(Path dir, String cfg, boolean apply) throws Exception {
        Random r = new Random(9);
        Weights w = new Weights(gaussian(r, D * F, 0.1), gaussian(r, F, 0.05), gaussian(r, F * D, 0.1),
                gaussian(r, D, 0.3));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cfg.json"), String.format(cfg, apply));
        SafetensorsWriter.write(dir.resolve("sae_weights.safetensors"), Map.of("W_enc", Tensor.of(w.wEnc(), D, F),
                "b_enc", Tensor.vector(w.bEnc()), "W_dec", Tensor.of(w.wDec(), F, D), "b_dec", Tensor.vector(w.bDec())),
                Map.of());
        return w;
    }

    private static float[] gaussian(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    /** StandardSAE.forward as SAELens computes it. */
    private static float[] saeLens(Weights w, float[] x, boolean apply) {
        float[] y = w.bDec().clone();
        for (int j = 0; j < F; j++) {
            double pre = w.bEnc()[j];
            for (int k = 0; k < D; k++) {
                pre += (x[k] - (apply ? w.bDec()[k] : 0)) * w.wEnc()[k * F + j];
            }
            double z = Math.max(0, pre);
            for (int k = 0; k < D; k++) {
                y[k] += (float) (z * w.wDec()[j * D + k]);
            }
        }
        return y;
    }

    @Test
    void standardSaesOfSaeLens5And6LoadAndReconstructAsSaeLensDoes() throws Exception {
        Random r = new Random(4);
        int n = 0;
        for (String cfg : new String[] {V5, V6}) {
            for (boolean apply : new boolean[] {true, false}) {
                Path dir = tmp.resolve("sae" + n++);
                Weights w = folder(dir, cfg, apply);
                Transcoder t = TranscoderFile.read(dir);
                assertEquals(HookPoint.parse("blocks.2.hook_resid_pre"), t.hookIn());
                assertEquals(t.hookIn(), t.hookOut(), "an SAE reconstructs the hook it reads");
                for (int i = 0; i < 10; i++) {
                    float[] x = gaussian(r, D, 1.0);
                    float[] expected = saeLens(w, x, apply);
                    assertArrayEquals(expected, t.decode(t.encode(x)), 1e-5f * 5, dir + " apply " + apply);
                }
            }
        }
    }

    @Test
    void anSaeSplicedAtItsHookReplacesTheActivationWithItsReconstruction() throws Exception {
        Weights w = folder(tmp.resolve("sae"), V6, true);
        Transcoder t = TranscoderFile.read(tmp.resolve("sae"));
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            int[] ids = m.tokenizer().encodeWithBos("Senator Smith of Ohio is a");
            HookPoint h = t.hookIn();
            RunResult clean = m.run(RunRequest.of(ids).withCache(h));
            HookPoint next = HookPoint.parse("blocks.2.hook_resid_mid");
            RunResult spliced = m.run(RunRequest.of(ids).withCache(h, next).withInterventions(t.splice()));
            for (int p = 0; p < ids.length; p++) {
                float[] x = clean.activation(h).select(0).select(p).toArray();
                float[] got = spliced.activation(h).select(0).select(p).toArray();
                assertArrayEquals(saeLens(w, x, true), got, 1e-4f, "position " + p);
            }
            assertTrue(spliced.logits().maxAbsDiff(m.run(RunRequest.of(ids)).logits()) > 1e-3,
                    "the reconstruction, not the activation, flows on");
        }
    }

    @Test
    void otherArchitecturesAndMismatchedHooksAreRefusedByName() throws Exception {
        Path dir = tmp.resolve("bad");
        folder(dir, V6.replace("\"standard\"", "\"matryoshka_batchtopk\""), true);
        LoupeException e = assertThrows(LoupeException.class, () -> TranscoderFile.read(dir));
        assertTrue(e.getMessage().contains("'architecture' is \"matryoshka_batchtopk\"")
                && e.getMessage().contains("jumprelu_transcoder"), e.getMessage());
        folder(dir, V6.replace("\"hook_head_index\": null", "\"hook_name_out\": \"blocks.3.hook_resid_pre\""), true);
        e = assertThrows(LoupeException.class, () -> TranscoderFile.read(dir));
        assertTrue(e.getMessage().contains("a standard SAE reconstructs blocks.2.hook_resid_pre"), e.getMessage());
    }
}
