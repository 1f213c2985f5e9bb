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

/** {@code loupe demo --quick}: every section is in the report and every result in results.json. */
class DemoTest {
    @TempDir
    Path tmp;

    @Test
    void theDemoWritesASelfContainedReportWithEveryMethod() throws Exception {
        CliTest.Result r = loupe("demo", "--quick", "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("steering: +v answers 100% of held-out forbidden requests"), r.out());
        String html = Files.readString(tmp.resolve("report.html"));
        for (String section : new String[] {"One-shot steering: refusal", "Transcoder on the last MLP", "Circuit: ",
                "ObsProp: feature vectors", "ObsProp vs probes", "ObsProp: coupling coefficients"}) {
            assertTrue(html.contains(section), "section " + section);
        }
        assertTrue(html.split("<svg").length >= 8, "plots, the circuit graph and bar charts are inline SVG");
        assertTrue(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"),
                "self-contained: no scripts, nothing fetched");
        JsonNode doc = new ObjectMapper().readTree(tmp.resolve("results.json").toFile()).get("demo");
        assertEquals(4, doc.get("steering").get("conditions").size());
        assertTrue(doc.get("transcoder").get("explained_variance").asDouble() > 0.5);
        assertEquals("L0H2", doc.get("features").get("mover").asText());
        assertTrue(doc.get("comparison").get("curve").size() == 6);
    }
}
