package dev.loupe.studies.toyworld.obsprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.Model;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.method.obsprop.ProbeCurve;
import dev.loupe.studies.toyworld.PronounProbesMethod;
import dev.loupe.toymodel.EmbeddedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 7's acceptance on the embedded model's pronoun task, and the studies as plugins. */
class PronounStudiesTest {
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
        ProbeCurve.Row k1 = c.curve().get(0);
        ProbeCurve.Row k4 = c.curve().get(2);
        ProbeCurve.Row k32 = c.curve().get(c.curve().size() - 1);
        assertEquals(1, k1.k());
        assertEquals(4, k4.k());
        assertTrue(c.obsProp() >= k1.logistic() && c.obsProp() >= k4.logistic(),
                "ObsProp " + c.obsProp() + " vs logistic k=1 " + k1.logistic() + ", k=4 " + k4.logistic());
        assertTrue(k32.logistic() > k1.logistic() + 0.1, "probes improve with data: " + c.curve());
    }

    @Test
    void theProbesPluginIsFoundAndWritesItsResultAndPage(@TempDir Path out) throws Exception {
        var method = Plugins.discover().method("toyworld-pronoun-probes", PronounProbesMethod.Config.class);
        MethodResult r = method.run(new MethodContext(model, "embedded", out, 0, Progress.NONE),
                new PronounProbesMethod.Config(2, 60, 2));
        assertEquals(java.util.List.of(out.resolve("compare.json"), out.resolve("compare.html")), r.artifacts());
        JsonNode json = new ObjectMapper().readTree(out.resolve("compare.json").toFile());
        ProbeComparison c = (ProbeComparison) r.summary();
        assertEquals(c.obsProp(), json.get("obsProp").asDouble(), 1e-12);
        assertFalse(json.has("lines"), "the printed lines are not part of the result: " + json);
        assertEquals(c.obsProp(), r.metrics().get("obsprop_auc"), 1e-12);
        assertTrue(((TextSummary) c).lines().get(1).startsWith("ObsProp feature vector (1 example per class): "));
        assertTrue(Files.readString(out.resolve("compare.html")).contains("<svg"));
    }
}
