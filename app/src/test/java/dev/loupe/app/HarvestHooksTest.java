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

/** {@code transcoder harvest --hook-in H --hook-out H}: any pair of per-token hooks, widths that differ. */
class HarvestHooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Harvested from a Parquet file as HF datasets store text (pyarrow, Snappy, three row groups). */
    @Test
    void aTranscoderFromTheResidualStreamToTheMlpNeurons() throws Exception {
        String model = NonEmbeddedModelTest.wordModel(tmp).toString();
        String corpus = CliTest.testdata("parquet/corpus-snappy.parquet").toString();
        Path acts = tmp.resolve("acts");
        CliTest.Result h = loupe("transcoder", "harvest", "--model", model, "--corpus", corpus, "--hook-in",
                "blocks.1.hook_resid_mid", "--hook-out", "blocks.1.mlp.hook_post", "--tokens", "2500", "--out",
                acts.toString(), "--json");
        assertEquals(0, h.code(), h.err());
        JsonNode manifest = JSON.readTree(acts.resolve("manifest.json").toFile());
        assertEquals("blocks.1.hook_resid_mid", manifest.get("hook_in").asText());
        assertEquals("blocks.1.mlp.hook_post", manifest.get("hook_out").asText());
        assertEquals(64, manifest.get("d_in").asInt());
        assertEquals(256, manifest.get("d_out").asInt(), "d_mlp = 4 d_model");
        assertEquals(2500, manifest.get("tokens").asLong());
        Path overlapping = tmp.resolve("overlapping");
        CliTest.Result o = loupe("transcoder", "harvest", "--model", model, "--corpus", corpus, "--bos", "WINDOW",
                "--context", "16", "--stride", "8", "--tokens", "100000", "--out", overlapping.toString(), "--json");
        assertEquals(0, o.code(), o.err());
        long rows = JSON.readTree(overlapping.resolve("manifest.json").toFile()).get("tokens").asLong();
        assertEquals(0, rows % 15, "each window of BOS + 15 text tokens gives 15 rows: " + rows);
        assertTrue(rows > 1.7 * 2961, "windows every 8 of their 15 text tokens: about twice the 2961 rows of "
                + "consecutive 64-token windows: " + rows);
        Path tc = tmp.resolve("tc");
        CliTest.Result t = loupe("transcoder", "train", "--model", model, "--activations", acts.toString(), "--out",
                tc.toString(), "--expansion", "2", "--steps", "300", "--batch", "128", "--buffer", "2048", "--warmup",
                "10", "--checkpoint-every", "300", "--lr", "3e-3");
        assertEquals(0, t.code(), t.err());
        JsonNode cfg = JSON.readTree(tc.resolve("cfg.json").toFile());
        assertEquals(64, cfg.get("d_in").asInt());
        assertEquals(256, cfg.get("d_out").asInt());
        CliTest.Result e = loupe("transcoder", "eval", "--model", model, "--transcoder", tc.toString(), "--corpus",
                corpus, "--windows", "8", "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode m = JSON.readTree(e.out()).get("metrics");
        assertTrue(m.get("explained_variance").asDouble() > 0.3, "spliced in place of mlp.hook_post: " + m);
    }

    @Test
    void hooksThatCannotBeAPairAreRefusedByName() throws Exception {
        String model = NonEmbeddedModelTest.wordModel(tmp).toString();
        String corpus = UserCorpusTest.writeCorpus(tmp.resolve("c.jsonl"), NonEmbeddedModelTest.WORDS, 50, 1)
                .toString();
        String[][] cases = {
            {"--hook-in", "blocks.1.hook_mlp_out", "--hook-out", "blocks.0.hook_resid_pre",
                "loupe: the input hook blocks.1.hook_mlp_out comes after the output hook blocks.0.hook_resid_pre in the forward "
                        + "pass; a transcoder maps an activation to a later one (or an SAE to itself)"},
            {"--hook-in", "blocks.7.hook_resid_pre", "--hook-out", "blocks.1.hook_mlp_out",
                "loupe: the input hook blocks.7.hook_resid_pre is not a hook point of this model (loupe hooks lists them)"},
            {"--hook-in", "blocks.0.attn.hook_pattern", "--hook-out", "blocks.1.hook_mlp_out",
                "loupe: blocks.0.attn.hook_pattern is not a per-token activation (its cache is 4-D); a harvest takes "
                        + "[batch, pos, d] (e.g. hook_resid_pre, ln2.hook_out, hook_mlp_out, mlp.hook_post, "
                        + "hook_attn_out)"},
            {"--hook-in", "blocks.0.hook_resid_pre", "--layer", "1", "loupe: --layer does not apply with --hook-in"},
            {"--stride", "20", "--context", "16", "loupe: stride 20 is longer than the 16 text tokens of a window (it "
                    + "would skip text)"},
            {"--bos", "WINDOW", "--stride", "64", "loupe: stride 64 is longer than the 63 text tokens of a window (it "
                    + "would skip text)"},
            {"--hook-in", "blocks.0.hook_resid_pre", "--tokens", "10", "loupe: --hook-in needs --hook-out (or "
                    + "neither, and --layer)"},
        };
        for (String[] c : cases) {
            Path out = tmp.resolve("bad");
            CliTest.Result r = loupe("transcoder", "harvest", "--model", model, "--corpus", corpus, c[0], c[1], c[2],
                    c[3], "--out", out.toString());
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals(c[4], r.err().strip());
            assertTrue(Files.notExists(out.resolve("manifest.json")), "nothing written for " + c[1]);
        }
    }
}
