package dev.loupe.app;

import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without --model the CLI uses the embedded toy model, offline. */
class EmbeddedModelCliTest {
    @TempDir
    Path tmp;

    @Test
    void runUsesTheEmbeddedModelByDefault() throws Exception {
        CliTest.Result r = loupe("run", "--prompt", "The war lasted from the year 1732 to the year 17", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        JsonNode top = doc.get("top_k").get(0);
        assertEquals(0, doc.get("tokens").get(0).asInt(), "BOS is prepended to a prompt by default");
        int year = Integer.parseInt(top.get("token").asText());
        assertTrue(year > 32, "the most likely next year should be after 1732, got " + year);
    }

    @Test
    void evalWritesResultsAndASelfContainedReport() throws Exception {
        CliTest.Result r = loupe("eval", "--tasks", "party,greater-than", "--limit", "64", "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("party") && r.out().contains("greater-than"), r.out());
        JsonNode results = new ObjectMapper().readTree(tmp.resolve("results.json").toFile()).get("results");
        assertEquals(2, results.size());
        double accuracy = results.get(0).get("metrics").get("accuracy").asDouble();
        assertTrue(accuracy >= 0.9, "embedded model accuracy on " + results.get(0).get("evaluator") + ": " + accuracy);
        String html = Files.readString(tmp.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("Training loss"), "plots of scores and the loss curve");
        assertFalse(html.contains("<script") || html.contains("http://") || html.contains("https://"),
                "self-contained: no scripts, nothing fetched");
    }
}
