package dev.loupe.app;

import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe obsprop} on the embedded model's pronoun task, through the toy-world plugins. */
class ObsPropStudyTest {
    @Test
    void featureNormsFindTheAblationHeadsWithoutDataAndTheMoverReadsBothPronounForms() throws Exception {
        CliTest.Result r = loupe("obsprop", "features", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode s = new ObjectMapper().readTree(r.out());
        assertTrue(s.get("topThreeShared").asInt() >= 2, "top-3 heads by ablation within the top-3 by norm: " + s);
        assertEquals("L0H2", s.get("mover").asText());
        assertTrue(s.get("moverCosine").asDouble() >= 0.9, "subject/object cosine " + s.get("moverCosine"));
        JsonNode real = s.get("finalNormReal");
        JsonNode gaussian = s.get("finalNormGaussian");
        assertEquals(128, gaussian.get("dimension").asInt());
        assertTrue(gaussian.get("meanAngleDegrees").asDouble() <= gaussian.get("boundDegrees").asDouble());
        assertTrue(real.get("meanCosine").asDouble() > 0.97, "real tokens: " + real);
    }

    @Test
    void theFriendlyCommandAndMethodRunGiveTheSameResultForTheSameConfig(@TempDir Path tmp) throws Exception {
        CliTest.Result friendly = loupe("obsprop", "compare", "--held-out", "60", "--repeats", "2", "--out",
                tmp.resolve("a").toString(), "--json");
        assertEquals(0, friendly.code(), friendly.err());
        Path config = Files.writeString(tmp.resolve("probes.json"), "{\"heldOut\": 60, \"repeats\": 2}");
        CliTest.Result run = loupe("method", "run", "toyworld-pronoun-probes", "--config", config.toString(), "--out",
                tmp.resolve("b").toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("ObsProp feature vector (1 example per class): "), run.out());
        ObjectMapper json = new ObjectMapper();
        JsonNode viaMethodRun = json.readTree(tmp.resolve("b/result.json").toFile()).get("summary");
        assertEquals(json.readTree(friendly.out()), viaMethodRun);
        assertEquals(json.readTree(tmp.resolve("a/compare.json").toFile()), viaMethodRun);
    }

    @Test
    void compareRejectsALayerOutsideTheModel() {
        CliTest.Result r = loupe("obsprop", "compare", "--layer", "9");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("layer 9 is outside a model with 4 layers"), r.err());
    }
}
