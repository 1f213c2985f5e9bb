package dev.loupe.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class TranscoderFileTest {
    @TempDir
    Path tmp;

    static Tensor random(Random r, double scale, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return Tensor.of(v, shape);
    }

    static Transcoder randomTranscoder(int layer, int d, int f) {
        Random r = new Random(11);
        return new Transcoder(HookPoint.parse("blocks." + layer + ".ln2.hook_out"),
                HookPoint.parse("blocks." + layer + ".hook_mlp_out"), InputConvention.NORM_OUTPUT,
                random(r, 0.2, d, f), random(r, 0.1, f), random(r, 0.2, f, d), random(r, 0.1, d), random(r, 0.1, d));
    }

    @Test
    void roundTripIsBitIdenticalInSaeLensFormAndComputesTheSameNumbers() {
        Transcoder t = randomTranscoder(3, 128, 512);
        TranscoderFile.write(tmp, t);
        Transcoder read = TranscoderFile.read(tmp);
        assertEquals(t.saeLensForm(), read, "the file holds the SAELens form, bit for bit");
        assertTrue(Files.exists(tmp.resolve("cfg.json")) && Files.exists(tmp.resolve("sae_weights.safetensors")));
        Random r = new Random(3);
        for (int i = 0; i < 20; i++) {
            float[] x = random(r, 1.0, 128).toArray();
            close(t.encode(x), read.encode(x), "features");
            close(t.decode(t.encode(x)), read.decode(read.encode(x)), "reconstruction");
        }
    }

    /** Equal within 1e-5 relative to the largest magnitude (float32 sums of a few hundred terms). */
    private static void close(float[] expected, float[] actual, String what) {
        double scale = 1;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertArrayEquals(expected, actual, (float) (1e-5 * scale), what);
    }

    /**
     * The folder as SAELens 6's loader takes it, rule by rule from its code: {@code handle_config_defaulting} takes
     * the 6.x path when {@code metadata.sae_lens_version} is at least 6.0.0; the {@code architecture} picks
     * {@code TranscoderConfig}, whose fields are {@code d_in}, {@code d_sae} (required), {@code d_out} (default 768),
     * {@code dtype}, {@code device}, {@code apply_b_dec_to_input} (its {@code __post_init__} refuses true),
     * {@code normalize_activations}, {@code reshape_activations} and {@code metadata}; {@code load_state_dict} is
     * strict, so the tensors are exactly {@code W_enc} [d_in, d_sae], {@code b_enc} [d_sae], {@code W_dec}
     * [d_sae, d_out], {@code b_dec} [d_out]; and {@code Transcoder.forward} is
     * relu(x @ W_enc + b_enc) @ W_dec + b_dec, with no input centring. That, computed from the files, is Loupe's.
     */
    @Test
    void theFolderIsWhatSaeLens6LoadsAndItComputesLoupesNumbers() throws Exception {
        Transcoder t = randomTranscoder(2, 32, 64);
        TranscoderFile.write(tmp, t);
        com.fasterxml.jackson.databind.JsonNode cfg = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tmp.resolve("cfg.json").toFile());
        assertEquals("transcoder", cfg.get("architecture").asText());
        assertEquals(32, cfg.get("d_in").asInt());
        assertEquals(64, cfg.get("d_sae").asInt());
        assertEquals(32, cfg.get("d_out").asInt(), "written, not left to the 768 default");
        assertFalse(cfg.get("apply_b_dec_to_input").asBoolean());
        assertEquals("none", cfg.get("normalize_activations").asText());
        assertEquals("none", cfg.get("reshape_activations").asText());
        assertEquals("float32", cfg.get("dtype").asText());
        String version = cfg.get("metadata").get("sae_lens_version").asText();
        assertTrue(Integer.parseInt(version.split("\\.")[0]) >= 6, version);
        assertEquals("blocks.2.ln2.hook_out", cfg.get("metadata").get("hook_name").asText());
        assertEquals("blocks.2.hook_mlp_out", cfg.get("metadata").get("hook_name_out").asText());
        try (var w = dev.loupe.io.SafetensorsFile.open(tmp.resolve("sae_weights.safetensors"))) {
            assertEquals(java.util.Set.of("W_enc", "b_enc", "W_dec", "b_dec"), java.util.Set.copyOf(w.names()));
            float[] wEnc = w.tensor("W_enc").toArray();
            float[] bEnc = w.tensor("b_enc").toArray();
            float[] wDec = w.tensor("W_dec").toArray();
            float[] bDec = w.tensor("b_dec").toArray();
            assertEquals(32, bDec.length, "b_dec is the output bias [d_out]");
            Random r = new Random(5);
            for (int i = 0; i < 20; i++) {
                float[] x = random(r, 1.0, 32).toArray();
                float[] y = bDec.clone();
                for (int j = 0; j < 64; j++) {
                    double pre = bEnc[j];
                    for (int k = 0; k < 32; k++) {
                        pre += x[k] * wEnc[k * 64 + j];
                    }
                    double z = Math.max(0, pre);
                    for (int k = 0; k < 32; k++) {
                        y[k] += (float) (z * wDec[j * 32 + k]);
                    }
                }
                close(t.decode(t.encode(x)), y, "SAELens's forward from the files = Loupe's");
            }
        }
    }

    /** Files Loupe wrote before the SAELens 6 layout: b_dec subtracted from the input, b_dec_out the output bias. */
    @Test
    void loupesOlderLayoutStillLoadsExactly() throws Exception {
        Transcoder t = randomTranscoder(1, 16, 32);
        Files.createDirectories(tmp);
        Files.writeString(tmp.resolve("cfg.json"), "{\"architecture\": \"transcoder\", \"d_in\": 16, \"d_sae\": 32, "
                + "\"d_out\": 16, \"dtype\": \"float32\", \"metadata\": {\"hook_name\": \"blocks.1.ln2.hook_out\", "
                + "\"hook_name_out\": \"blocks.1.hook_mlp_out\", \"input_convention\": \"" + InputConvention.NORM_OUTPUT
                + "\"}}");
        SafetensorsWriter.write(tmp.resolve("sae_weights.safetensors"), Map.of("W_enc", t.wEnc(), "b_enc", t.bEnc(),
                "W_dec", t.wDec(), "b_dec", t.bDec(), "b_dec_out", t.bDecOut()), Map.of());
        assertEquals(t, TranscoderFile.read(tmp));
        SafetensorsWriter.write(tmp.resolve("sae_weights.safetensors"), Map.of("W_enc", t.wEnc(), "b_enc", t.bEnc(),
                "W_dec", t.wDec(), "b_dec", t.bDec()), Map.of());
        oneLine(() -> TranscoderFile.read(tmp), "tensor 'b_dec_out' missing", "apply_b_dec_to_input false");
    }

    @Test
    void filesFromBeforeTheTransformerLensMeaningOfHookNormalizedReadTheNormsOutput() throws Exception {
        Transcoder t = randomTranscoder(3, 16, 32);
        TranscoderFile.write(tmp, t);
        Path cfg = tmp.resolve("cfg.json");
        String legacy = Files.readString(cfg).replace("blocks.3.ln2.hook_out", "blocks.3.ln2.hook_normalized")
                .replace(InputConvention.NORM_OUTPUT,
                        "ln2.hook_normalized: LayerNorm output with weight and bias applied (the MLP's input)");
        Files.writeString(cfg, legacy);
        assertEquals(t.saeLensForm(), TranscoderFile.read(tmp), "Loupe's old convention names the norm's output");
        Files.writeString(cfg, legacy.replace("LayerNorm output with weight and bias applied (the MLP's input)",
                "sae_lens"));
        assertEquals(HookPoint.parse("blocks.3.ln2.hook_normalized"), TranscoderFile.read(tmp).hookIn(),
                "any other convention means TransformerLens's hook_normalized");
    }

    private static void oneLine(Executable e, String... parts) {
        LoupeException ex = assertThrows(LoupeException.class, e);
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        for (String p : parts) {
            assertTrue(ex.getMessage().contains(p), "'" + ex.getMessage() + "' should mention " + p);
        }
    }

    @Test
    void malformedConfigAndMismatchedShapesAreOneLineErrors() throws Exception {
        TranscoderFile.write(tmp, randomTranscoder(1, 16, 32));
        Path cfg = tmp.resolve("cfg.json");
        String good = Files.readString(cfg);
        Files.writeString(cfg, "{ not json");
        oneLine(() -> TranscoderFile.read(tmp), "cfg.json", "not valid JSON");
        Files.writeString(cfg, good.replace("\"transcoder\"", "\"standard\""));
        oneLine(() -> TranscoderFile.read(tmp), "cfg.json", "architecture", "transcoder");
        Files.writeString(cfg, good.replace("\"d_sae\" : 32", "\"d_sae\" : \"wide\""));
        oneLine(() -> TranscoderFile.read(tmp), "cfg.json", "d_sae", "positive integer");
        Files.writeString(cfg, good.replace("\"d_sae\" : 32", "\"d_sae\" : 4294967360"));
        oneLine(() -> TranscoderFile.read(tmp), "cfg.json", "d_sae", "4294967360", "below 2^31");
        Files.writeString(cfg, good.replace("blocks.1.hook_mlp_out", "blocks.1.hook_mlp_outt"));
        oneLine(() -> TranscoderFile.read(tmp), "hook_name_out", "blocks.1.hook_mlp_out");
        Files.writeString(cfg, good.replace("\"d_sae\" : 32", "\"d_sae\" : 48"));
        oneLine(() -> TranscoderFile.read(tmp), "sae_weights.safetensors", "W_enc", "[16, 32]", "expected [16, 48]");
        Files.writeString(cfg, good.replaceAll(",\\s*\"loupe_run\" : \"[0-9a-f]+\"", "")); // as files from before the run id
        SafetensorsWriter.write(tmp.resolve("sae_weights.safetensors"), Map.of("W_enc", Tensor.zeros(16, 32)), Map.of());
        oneLine(() -> TranscoderFile.read(tmp), "b_enc", "missing");
    }

    @Test
    void everyCfgKeyIsReadOrRefusedByName() throws Exception {
        Transcoder t = randomTranscoder(1, 16, 32);
        TranscoderFile.write(tmp, t);
        Path cfg = tmp.resolve("cfg.json");
        String good = Files.readString(cfg);
        String v6 = good.replace("\"metadata\" : {", "\"metadata\" : { \"model_name\" : \"gpt2\", \"hook_layer\" : 1, "
                + "\"hook_head_index\" : null, \"context_size\" : 128,");
        Files.writeString(cfg, v6);
        assertEquals(t.saeLensForm(), TranscoderFile.read(tmp), "SAELens's provenance keys are read");
        Files.writeString(cfg, good.replace("\"metadata\" : {", "\"hook_name\" : \"blocks.1.ln2.hook_out\", \"metadata\" : {"));
        assertEquals(t.saeLensForm(), TranscoderFile.read(tmp), "SAELens 5's top-level hook agreeing with metadata's");
        String[][] refused = {
            {"\"apply_b_dec_to_input\" : true", "tensor 'b_dec_out' missing"},
            {"\"apply_b_dec_to_input\" : \"no\"", "apply_b_dec_to_input", "true or false"},
            {"\"normalize_activations\" : \"expected_average_only_in\"", "normalize_activations", "none"},
            {"\"activation_fn_str\" : \"topk\"", "activation_fn_str", "ReLU"},
            {"\"hook_layer\" : 2", "hook_layer", "layer 1"},
            {"\"hook_head_index\" : 3", "hook_head_index", "head"},
            {"\"hook_name\" : \"blocks.2.ln2.hook_out\"", "'hook_name'", "disagree"},
            {"\"lr\" : 0.001", "'lr' is not one Loupe reads"},
            {"\"dtype\" : \"int8\", \"x\" : 1", "'x' is not one"},
        };
        for (String[] r : refused) {
            Files.writeString(cfg, good.replace("\"architecture\"", r[0] + ", \"architecture\""));
            oneLine(() -> TranscoderFile.read(tmp), java.util.Arrays.copyOfRange(r, 1, r.length));
        }
        Files.writeString(cfg, good.replace("\"hook_name\"", "\"hook_nmae\" : 1, \"hook_name\""));
        oneLine(() -> TranscoderFile.read(tmp), "cfg.json", "'metadata.hook_nmae' is not one Loupe reads");
        Files.writeString(cfg, good);
        Transcoder f = t.saeLensForm();
        SafetensorsWriter.write(tmp.resolve("sae_weights.safetensors"), Map.of("W_enc", f.wEnc(), "b_enc", f.bEnc(),
                "W_dec", f.wDec(), "b_dec", f.bDecOut(), "threshold", f.bEnc()),
                Map.of("loupe_run", good.replaceAll("(?s).*\"loupe_run\" : \"([0-9a-f]+)\".*", "$1")));
        oneLine(() -> TranscoderFile.read(tmp), "sae_weights.safetensors", "tensor 'threshold' is not one");
    }

    @Test
    void aTranscoderOfAnotherWidthOrLayerDoesNotFitTheModel() {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            int d = m.spec().dModel();
            assertEquals(randomTranscoder(1, d, 8), randomTranscoder(1, d, 8).requireFits(m.spec(), "tc"));
            oneLine(() -> randomTranscoder(1, d + 1, 8).requireFits(m.spec(), "tc"), "tc: d_in " + (d + 1),
                    "width " + d, "belongs to another model");
            oneLine(() -> randomTranscoder(m.spec().nLayers(), d, 8).requireFits(m.spec(), "tc"), "tc: ", "layer");
        }
    }

    @Test
    void spliceRunsTheTranscoderInPlaceOfTheMlp() {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            Transcoder t = randomTranscoder(3, 128, 256);
            int[] ids = m.tokenizer().encode("Senator Smith of Ohio is a");
            RunResult r = m.run(RunRequest.of(ids).withCache(t.hookIn(), t.hookOut()).withInterventions(t.splice()));
            for (int p = 0; p < ids.length; p++) {
                float[] expected = t.decode(t.encode(r.activation(t.hookIn()).select(0).select(p).toArray()));
                double diff = Tensor.vector(expected).maxAbsDiff(r.activation(t.hookOut()).select(0).select(p));
                assertTrue(diff < 1e-4, "position " + p + ": " + diff);
            }
        }
    }

    @Test
    void aTranscoderWhoseWeightsCameFromAnotherWriteIsRefused() throws IOException {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        TranscoderFile.write(a, randomTranscoder(1, 16, 32));
        TranscoderFile.write(b, randomTranscoder(1, 16, 32));
        Files.copy(b.resolve(TranscoderFile.WEIGHTS), a.resolve(TranscoderFile.WEIGHTS),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        LoupeException e = assertThrows(LoupeException.class, () -> TranscoderFile.read(a));
        assertTrue(e.getMessage().contains("written by another run than cfg.json"), e.getMessage());
    }
}
