package dev.loupe.app;

import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.method.obsprop.FeatureVectors;
import dev.loupe.method.obsprop.Observable;
import dev.loupe.toymodel.EmbeddedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** obsprop features on the user's observable, written as text: the same feature vectors as the API's. */
class ObservableFeaturesTest {
    @TempDir
    Path tmp;

    @Test
    void aWrittenObservableRanksHeadsByTheirFeatureVectors() throws Exception {
        CliTest.Result r = loupe("obsprop", "features", "--observable", "logit('she') - 0.5 * logit('he')", "--json",
                "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(doc, new ObjectMapper().readTree(tmp.resolve("observable-features.json").toFile()));
        JsonNode top = doc.get("ranked").get(0);
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            int she = m.tokenizer().encode("she")[0];
            int he = m.tokenizer().encode("he")[0];
            Observable n = new Observable(java.util.Map.of(she, 1.0, he, -0.5));
            Tensor direct = FeatureVectors.finalResidual(m.weights(), n);
            double norm = FeatureVectors.head(m.weights(), m.spec(), top.get("layer").asInt(), top.get("head").asInt(),
                    direct).norm();
            assertEquals(norm, top.get("norm").asDouble(), 1e-9 * norm);
            int heads = m.spec().nLayers() * m.spec().nHeads();
            assertEquals(heads, doc.get("ranked").size(), "without a prompt: every head's direct path, no MLP");
            for (int i = 1; i < heads; i++) {
                assertTrue(doc.get("ranked").get(i - 1).get("norm").asDouble() >= doc.get("ranked").get(i).get("norm")
                        .asDouble(), "sorted by norm");
            }
        }
    }

    @Test
    void withAPromptMlpsAreLinearisedAndTheLayerNormRuleIsChecked() throws Exception {
        CliTest.Result r = loupe("obsprop", "features", "--observable", "logit('she') - logit('he')", "--prompt",
                "Alice gave Bob the book because", "--json", "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertTrue(doc.get("ranked").toString().contains("MLP"), doc.toString());
        double cosine = doc.get("finalNorm").get("meanCosine").asDouble();
        assertTrue(cosine > 0.95, "the sqrt(d) W*y rule against the exact LayerNorm gradient on the prompt: " + cosine);
    }

    @Test
    void anObservableThatReadsNoSingleTokenIsOneLine() {
        CliTest.Result r = loupe("obsprop", "features", "--observable", "logit('she said') - logit('he')", "--out",
                tmp.toString());
        assertEquals(2, r.code());
        assertEquals("loupe: observable 'logit('she said') - logit('he')': 'she said' is 2 tokens, not one (an "
                + "observable reads one token's logit)", r.err().strip());
        r = loupe("obsprop", "features", "--prompt", "x", "--out", tmp.toString());
        assertEquals(2, r.code());
        r = loupe("obsprop", "features", "--observable", "logit('she')", "--paths", "DIRECT", "--out", tmp.toString());
        assertEquals(2, r.code());
        assertEquals("loupe: --paths does not apply with --observable", r.err().strip());
        assertTrue(!Files.exists(tmp.resolve("observable-features.json")), "nothing written");
    }
}
