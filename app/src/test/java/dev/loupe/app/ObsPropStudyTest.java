package dev.loupe.app;

import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.Model;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.app.obsprop.CouplingStudy;
import dev.loupe.app.obsprop.ProbeComparison;
import dev.loupe.toymodel.EmbeddedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 7's acceptance on the embedded model's pronoun task. */
class ObsPropStudyTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()));
    }

    @AfterAll
    static void close() {
        model.close();
    }

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
    void couplingCoefficientsPredictTheFittedSlopesOfEachHeadsSubjectAndObjectVectors() {
        CouplingStudy s = CouplingStudy.run(model, 64, 0);
        assertEquals(16, s.pairs(CouplingStudy.Kind.SUBJECT_OBJECT).size());
        assertTrue(s.tokens() > 3500, "non-BOS tokens of 64 windows: " + s.tokens());
        assertTrue(s.subjectObjectR2() >= 0.9, "R² of C against the slopes over the 16 heads: " + s);
        CouplingStudy.Pair mover = s.pairs().stream().filter(p -> p.first().equals("L0H2 subject")).findFirst()
                .orElseThrow();
        assertTrue(mover.fitR2() >= 0.8, "x·y_object is close to linear in x·y_subject for the mover: " + mover);
        assertEquals(mover.slope(), mover.coupling(), 0.05, "C(y_subject, y_object) vs the fitted slope: " + mover);
        assertTrue(s.correlation() > 0.8, "C and slopes correlate across all 40 pairs: " + s.correlation());
    }

    @Test
    void oneExamplePerClassOfObsPropBeatsFewShotProbes() {
        ProbeComparison c = ProbeComparison.run(model, 2, 150, 20, 0);
        dev.loupe.method.obsprop.ProbeCurve.Row k1 = c.curve().get(0);
        dev.loupe.method.obsprop.ProbeCurve.Row k4 = c.curve().get(2);
        dev.loupe.method.obsprop.ProbeCurve.Row k32 = c.curve().get(c.curve().size() - 1);
        assertEquals(1, k1.k());
        assertEquals(4, k4.k());
        assertTrue(c.obsProp() >= k1.logistic() && c.obsProp() >= k4.logistic(),
                "ObsProp " + c.obsProp() + " vs logistic k=1 " + k1.logistic() + ", k=4 " + k4.logistic());
        assertTrue(k32.logistic() > k1.logistic() + 0.1, "probes improve with data: " + c.curve());
    }

    @Test
    void compareRejectsALayerOutsideTheModel() {
        CliTest.Result r = loupe("obsprop", "compare", "--layer", "9");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--layer: 9 is outside a model with 4 layers"), r.err());
    }
}
