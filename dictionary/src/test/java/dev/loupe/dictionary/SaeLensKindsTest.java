package dev.loupe.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every SAELens architecture Loupe reads, from folders in SAELens 6's layout (and one 5.x cfg, one Gemma Scope
 * params.npz) written by {@code testdata/saelens-kinds/make_fixtures.py}, whose expected feature activations and
 * outputs restate SAELens's own encode/decode in torch. Loupe's reading of each gives the same numbers within 1e-5,
 * in plain Java and spliced into a model by the DJL engine.
 */
class SaeLensKindsTest {
    private static final String[] ALL = {"standard", "standard-no-centre", "jumprelu", "topk", "gated", "transcoder",
        "skip-transcoder", "jumprelu-transcoder", "constant-norm-rescale", "layer-norm", "expected-average", "topk-v5"};

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    @TempDir
    Path tmp;

    static Path fixtures() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("testdata/saelens-kinds"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("testdata/saelens-kinds not found");
        }
        return dir.resolve("testdata/saelens-kinds");
    }

    private static Path gemmaScope() {
        return fixtures().resolve("gemma-scope-2b-pt-res/layer_1/width_32/average_l0_9/params.npz");
    }

    @ParameterizedTest
    @ValueSource(strings = {"standard", "standard-no-centre", "jumprelu", "topk", "gated", "transcoder",
        "skip-transcoder", "jumprelu-transcoder", "constant-norm-rescale", "layer-norm", "expected-average", "topk-v5",
        "gemma-scope"})
    void encodeAndForwardEqualSaeLensWithin1e5(String name) {
        Transcoder t = TranscoderFile.read(name.equals("gemma-scope") ? gemmaScope() : fixtures().resolve(name));
        try (SafetensorsFile e = SafetensorsFile.open(fixtures().resolve(name + ".expected.safetensors"))) {
            Tensor x = e.tensor("x");
            for (int i = 0; i < x.size(0); i++) {
                float[] row = x.select(i).toArray();
                assertTrue(Tensor.vector(t.encode(row)).maxAbsDiff(e.tensor("feature_acts").select(i)) < 1e-5,
                        name + " feature_acts row " + i);
                assertTrue(Tensor.vector(t.forward(row)).maxAbsDiff(e.tensor("sae_out").select(i)) < 1e-5,
                        name + " sae_out row " + i);
            }
        }
    }

    /**
     * Read, written back, read again: the same numbers (1e-6), the same architecture and exactly the state-dict
     * names SAELens saved (the Gemma Scope npz becomes a {@code jumprelu} folder).
     */
    @ParameterizedTest
    @ValueSource(strings = {"standard", "standard-no-centre", "jumprelu", "topk", "gated", "transcoder",
        "skip-transcoder", "jumprelu-transcoder", "constant-norm-rescale", "layer-norm", "expected-average", "topk-v5",
        "gemma-scope"})
    void writtenBackInSaeLensLayoutItComputesTheSame(String name) throws IOException {
        boolean gemma = name.equals("gemma-scope");
        Transcoder t = TranscoderFile.read(gemma ? gemmaScope() : fixtures().resolve(name));
        Path out = tmp.resolve(name);
        TranscoderFile.write(out, t);
        Transcoder back = TranscoderFile.read(out);
        String written = JSON.readTree(out.resolve("cfg.json").toFile()).get("architecture").asText();
        String source = gemma ? "jumprelu" : JSON.readTree(fixtures().resolve(name).resolve("cfg.json").toFile())
                .path("architecture").asText("topk");
        assertEquals(source, written);
        if (!gemma) {
            try (SafetensorsFile a = SafetensorsFile.open(fixtures().resolve(name).resolve("sae_weights.safetensors"));
                 SafetensorsFile b = SafetensorsFile.open(out.resolve("sae_weights.safetensors"))) {
                assertEquals(a.names(), b.names());
            }
        }
        try (SafetensorsFile e = SafetensorsFile.open(fixtures().resolve(name + ".expected.safetensors"))) {
            Tensor x = e.tensor("x");
            for (int i = 0; i < x.size(0); i++) {
                float[] row = x.select(i).toArray();
                assertTrue(Tensor.vector(back.forward(row)).maxAbsDiff(Tensor.vector(t.forward(row))) < 1e-5,
                        name + " row " + i);
            }
        }
    }

    @Test
    void hooksKindsAndSparsityAreRead() {
        Transcoder g = TranscoderFile.read(gemmaScope());
        assertEquals(HookPoint.parse("blocks.1.hook_resid_post"), g.hookIn());
        assertEquals(g.hookIn(), g.hookOut());
        Transcoder tc = TranscoderFile.read(fixtures().resolve("jumprelu-transcoder"));
        assertEquals(HookPoint.parse("blocks.1.ln2.hook_normalized"), tc.hookIn());
        assertEquals(HookPoint.parse("blocks.1.hook_mlp_out"), tc.hookOut());
        assertEquals(HookPoint.parse("blocks.1.hook_resid_pre"), TranscoderFile.read(fixtures().resolve("topk-v5")).hookIn());
        assertEquals(32, TranscoderFile.logSparsity(fixtures().resolve("standard"), 32).orElseThrow().size(0));
        assertTrue(TranscoderFile.logSparsity(fixtures().resolve("gated"), 32).isEmpty());
    }

    /** Spliced into gpt2-tiny by engine-djl, each dictionary's output equals its plain-Java forward (1e-4). */
    @Test
    void everyKindSplicesIntoAModel() throws Exception {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(golden()))) {
            int[] ids = {11, 42, 7, 300, 5};
            for (String name : ALL) {
                Transcoder t = TranscoderFile.read(fixtures().resolve(name)).requireFits(m.spec(), name);
                Tensor x = m.run(RunRequest.of(ids).withCache(t.hookIn())).activation(t.hookIn()).select(0);
                RunResult r = m.run(RunRequest.of(ids).withCache(t.hookOut()).withInterventions(t.splice()));
                Tensor y = r.activation(t.hookOut()).select(0);
                for (int p = 0; p < ids.length; p++) {
                    assertTrue(Tensor.vector(t.forward(x.select(p).toArray())).maxAbsDiff(y.select(p)) < 1e-4,
                            name + " at " + p);
                }
            }
        }
    }

    @Test
    void whatSaeLensWouldComputeDifferentlyIsRefused() throws IOException {
        String[][] cases = {
            {"\"normalize_activations\": \"none\"", "\"normalize_activations\": \"expected_average_only_in\"",
                "norm_scaling_factor' is missing"},
            {"\"rescale_acts_by_decoder_norm\": false", "\"rescale_acts_by_decoder_norm\": true",
                "rescale_acts_by_decoder_norm"},
            {"\"architecture\": \"topk\"", "\"architecture\": \"matryoshka_batchtopk\"", "field 'architecture'"},
            {"\"k\": 5", "\"k\": 0", "field 'k' is 0"},
        };
        for (String[] c : cases) {
            Path dir = copy("topk");
            Path cfg = dir.resolve("cfg.json");
            String text = Files.readString(cfg);
            assertTrue(text.contains(c[0]), c[0]);
            Files.writeString(cfg, text.replace(c[0], c[1]));
            LoupeException e = assertThrows(LoupeException.class, () -> TranscoderFile.read(dir));
            assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains("cfg.json"), e.getMessage());
        }
        Path tc = copy("transcoder");
        Path cfg = tc.resolve("cfg.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"normalize_activations\": \"none\"",
                "\"normalize_activations\": \"constant_norm_rescale\""));
        assertTrue(assertThrows(LoupeException.class, () -> TranscoderFile.read(tc)).getMessage()
                .contains("never undoes it"));
    }

    private Path copy(String name) throws IOException {
        Path dir = tmp.resolve(name + "-" + System.nanoTime());
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(fixtures().resolve(name))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    private static Path golden() {
        return fixtures().getParent().resolve("golden/gpt2-tiny");
    }
}
