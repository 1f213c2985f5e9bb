package dev.loupe.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.method.transcoder.ActivationHarvest;
import dev.loupe.spark.cli.SparkCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe spark harvest|sweep} end to end on local[2], and bad input as one line with exit code 2. */
class SparkCliTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void harvestThenSweepFromTheCommandLine() throws Exception {
        Path corpus = SparkFixtures.corpus(tmp, 21);
        Path acts = tmp.resolve("acts");
        Run h = cli("harvest", "--master", "local[2]", "--corpus", corpus.toString(), "--layer", "2", "--context",
                "32", "--tokens", "3000", "--shard-tokens", "1000", "--partitions", "2", "--out", acts.toString(),
                "--json");
        assertEquals(0, h.code(), h.err());
        JsonNode doc = new ObjectMapper().readTree(h.out());
        assertEquals(3000, doc.get("tokens").asLong());
        assertEquals("blocks.2.ln2.hook_out", doc.get("hook_in").asText());
        assertEquals(3000, ActivationHarvest.open(acts).tokens());
        assertTrue(h.err().contains("spark: stage ") && h.err().contains("2/2 tasks"),
                "progress per stage: " + h.err());

        Path sweep = tmp.resolve("sweep");
        Run s = cli("sweep", "--master", "local[2]", "--activations", acts.toString(), "--expansion", "2",
                "--l1", "0.5,2", "--steps", "40", "--batch", "128", "--buffer", "1024", "--warmup", "5",
                "--checkpoint-every", "20", "--eval-corpus", corpus.toString(), "--context", "32", "--eval-windows",
                "4", "--out", sweep.toString());
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("acts-x2-l1_0.5-relu") && s.out().contains("best"), s.out());
        assertEquals(2, new ObjectMapper().readTree(sweep.resolve("sweep.json").toFile()).get("dictionaries").size());
    }

    @Test
    void badInputIsOneLineAndExitCodeTwoWithNothingWritten() {
        Path out = tmp.resolve("never");
        Run r = cli("harvest", "--master", "local[1]", "--corpus", tmp.resolve("missing").toString(), "--out",
                out.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("missing") && r.err().contains("no such corpus"), r.err());
        assertFalse(Files.exists(out));
        Run k = cli("sweep", "--activations", "a", "--architecture", "topk", "--eval-corpus", "c", "--out",
                out.toString());
        assertEquals(2, k.code(), k.err());
        assertTrue(k.err().startsWith("loupe spark: --architecture topk:"), k.err());
    }
}
