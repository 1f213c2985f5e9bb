package dev.loupe.app;

import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Generation;
import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import dev.loupe.toymodel.EmbeddedModel;
import dev.loupe.vectors.SteeringVectorFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code steer feature}: an SAE feature's decoder row, scaled, as a steering vector at the SAE's hook; {@code steer
 * clamp}: the feature held at a value.
 */
class SaeFeatureSteeringTest {
    @TempDir
    Path tmp;

    private static Tensor gaussian(Random r, int... shape) {
        float[] v = new float[java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.2);
        }
        return Tensor.of(v, shape);
    }

    /** An SAE at {@code hook} (8 features) whose feature 0 writes {@code row}. */
    static Path saeWithRow(Path dir, HookPoint hook, float[] row) {
        Random r = new Random(1);
        int d = row.length;
        float[] dec = gaussian(r, 8, d).toArray();
        System.arraycopy(row, 0, dec, 0, d);
        TranscoderFile.write(dir, new Transcoder(hook, hook, "sae", gaussian(r, d, 8), gaussian(r, 8),
                Tensor.of(dec, 8, d), Tensor.zeros(d), gaussian(r, d)));
        return dir;
    }

    @Test
    void aFeaturesDecoderRowBecomesAVectorAtItsHook() throws Exception {
        Random r = new Random(2);
        HookPoint h = HookPoint.parse("blocks.2.hook_resid_pre");
        Transcoder sae = new Transcoder(h, h, "sae", gaussian(r, 128, 64), gaussian(r, 64), gaussian(r, 64, 128),
                Tensor.zeros(128), gaussian(r, 128));
        Path dir = tmp.resolve("sae");
        TranscoderFile.write(dir, sae);
        Path v = tmp.resolve("f5");
        CliTest.Result c = loupe("steer", "feature", "--sae", dir.toString(), "--feature", "5", "--coefficient", "4",
                "--out", v.toString());
        assertEquals(0, c.code(), c.err());
        SteeringVectorFile.Loaded loaded = SteeringVectorFile.read(v);
        assertEquals("blocks.2.hook_resid_pre", loaded.metadata().hook());
        assertArrayEquals(sae.wDec().select(5).scale(4).toArray(), loaded.vector().toArray(), 0f);
        Path prompts = Files.writeString(tmp.resolve("p.jsonl"), "{\"prompt\": \"User : hi ? Assistant :\", "
                + "\"promote\": \"Sure ,\"}\n");
        CliTest.Result eval = loupe("steer", "eval", "--vector", v.toString(), "--prompts", prompts.toString());
        assertEquals(0, eval.code(), eval.err());
        CliTest.Result bad = loupe("steer", "feature", "--sae", dir.toString(), "--feature", "64", "--out",
                tmp.resolve("x").toString());
        assertEquals(2, bad.code());
        assertEquals("loupe: --feature 64: " + dir + " has 64 features", bad.err().strip());
        Transcoder mlp = new Transcoder(HookPoint.parse("blocks.2.ln2.hook_out"), HookPoint.parse("blocks.2.hook_mlp_out"),
                "tc", gaussian(r, 128, 64), gaussian(r, 64), gaussian(r, 64, 128), Tensor.zeros(128), gaussian(r, 128));
        TranscoderFile.write(tmp.resolve("tc"), mlp);
        CliTest.Result notResid = loupe("steer", "feature", "--sae", tmp.resolve("tc").toString(), "--feature", "1",
                "--out", tmp.resolve("y").toString());
        assertEquals(2, notResid.code());
        assertTrue(notResid.err().contains("it writes blocks.2.hook_mlp_out"), notResid.err());
        assertTrue(Files.notExists(tmp.resolve("y.json")), "nothing written");
    }

    /**
     * {@code steer clamp} reports the feature's activation on the prompt and continues it with the feature held at the
     * value, equal to the api's greedy generation with {@link Transcoder#clamp} on the same model.
     */
    @Test
    void clampingAFeatureSteersTheContinuation() throws Exception {
        Random r = new Random(3);
        HookPoint h = HookPoint.parse("blocks.2.hook_resid_pre");
        Transcoder sae = new Transcoder(h, h, "sae", gaussian(r, 128, 64), gaussian(r, 64), gaussian(r, 64, 128),
                Tensor.zeros(128), gaussian(r, 128));
        Path dir = tmp.resolve("sae");
        TranscoderFile.write(dir, sae);
        String prompt = "The war lasted from the year 1732 to the year 17";
        CliTest.Result c = loupe("steer", "clamp", "--sae", dir.toString(), "--feature", "5", "--value", "300",
                "--prompt", prompt, "--max-tokens", "6", "--json");
        assertEquals(0, c.code(), c.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.out());
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            Tokenizer tok = m.tokenizer();
            int[] ids = tok.encodeWithBos(prompt);
            Tensor x = m.run(RunRequest.of(ids).withCache(h)).activation(h).select(0);
            var reported = json.get("prompt_activations");
            assertEquals(ids.length, reported.size());
            for (int p = 0; p < ids.length; p++) {
                assertEquals(sae.encode(x.select(p).toArray())[5], reported.get(p).floatValue(), 1e-6, "position " + p);
            }
            String clamped = tok.decode(Generation.greedy(m, ids, 6,
                    List.of(sae.clamp(5, 300, Positions.all())), tok.stopId()));
            assertEquals(clamped, json.get("clamped").asText());
            assertEquals(tok.decode(Generation.greedy(m, ids, 6, List.of(), tok.stopId())),
                    json.get("unsteered").asText());
        }
        assertEquals("blocks.2.hook_resid_pre", json.get("hook").asText());
        assertNotEquals(json.get("unsteered").asText(), json.get("clamped").asText(), c.out());
        Path config = tmp.resolve("clamp.json");
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(config.toFile(), Map.of("sae", dir.toString(),
                "feature", 5, "value", 300, "prompt", prompt, "maxTokens", 6));
        CliTest.Result run = loupe("method", "run", "feature-clamp", "--config", config.toString(), "--out",
                tmp.resolve("run").toString(), "--json");
        assertEquals(0, run.code(), run.err());
        assertEquals(json, new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out()).get("summary"),
                "loupe method run feature-clamp gives what steer clamp gives");
        CliTest.Result bad = loupe("steer", "clamp", "--sae", dir.toString(), "--feature", "64", "--value", "1",
                "--prompt", prompt);
        assertEquals(2, bad.code());
        assertEquals("loupe: feature-clamp: feature 64: " + dir + " has 64 features (0..63)", bad.err().strip());
    }

    /**
     * A Gemma Scope params.npz (JumpReLU, at blocks.1.hook_resid_post) gives a vector at blocks.2.hook_resid_pre, the
     * same activation in TransformerLens; a SAELens folder's sparsity.safetensors reports the feature's density.
     */
    @Test
    void gemmaScopeResidPostAndSparsity() throws Exception {
        Path fixtures = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(fixtures.resolve("testdata/saelens-kinds"))) {
            fixtures = fixtures.getParent();
        }
        fixtures = fixtures.resolve("testdata/saelens-kinds");
        Path npz = fixtures.resolve("gemma-scope-2b-pt-res/layer_1/width_32/average_l0_9/params.npz");
        Path v = tmp.resolve("g3");
        CliTest.Result c = loupe("steer", "feature", "--sae", npz.toString(), "--feature", "3", "--out", v.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("blocks.2.hook_resid_pre (= blocks.1.hook_resid_post)"), c.out());
        assertEquals("blocks.2.hook_resid_pre", SteeringVectorFile.read(v).metadata().hook());
        CliTest.Result s = loupe("steer", "feature", "--sae", fixtures.resolve("standard").toString(), "--feature", "0",
                "--out", tmp.resolve("s0").toString(), "--json");
        assertEquals(0, s.code(), s.err());
        float expected;
        try (var f = dev.loupe.io.SafetensorsFile.open(fixtures.resolve("standard/sparsity.safetensors"))) {
            expected = f.tensor("sparsity").get(0);
        }
        assertEquals(expected, new com.fasterxml.jackson.databind.ObjectMapper().readTree(s.out())
                .get("log10_feature_density").doubleValue(), 1e-6);
    }
}
