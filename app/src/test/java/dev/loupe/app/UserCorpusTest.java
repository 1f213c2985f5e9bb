package dev.loupe.app;

import static dev.loupe.app.CliTest.golden;
import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transcoders on the user's own text: harvest and eval read a JSONL corpus, not the toy world's generator. */
class UserCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> WORDS = List.of("the", "a", "man", "woman", "city", "river", "house", "old",
            "new", "went", "saw", "said", "to", "of", "and", "in", "was", "is", "he", "she", "they", "time", "day");

    @TempDir
    Path tmp;

    private Path corpus(String name, int lines, long seed) throws IOException {
        return writeCorpus(tmp.resolve(name), WORDS, lines, seed);
    }

    /** {@code lines} random sentences of {@code words} (6 to 15 each) into {@code file}, one JSON object a line. */
    static Path writeCorpus(Path file, List<String> words, int lines, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            List<String> sentence = new ArrayList<>();
            for (int w = 0; w < 6 + r.nextInt(10); w++) {
                sentence.add(words.get(r.nextInt(words.size())));
            }
            b.append(JSON.writeValueAsString(java.util.Map.of("text", String.join(" ", sentence), "id", i)))
                    .append('\n');
        }
        return Files.writeString(file, b.toString());
    }

    @Test
    void harvestReadsTheCorpusWindowByWindowAndStopsWhereItEnds() throws Exception {
        Path text = corpus("train.jsonl", 60, 1);
        Path acts = tmp.resolve("acts");
        CliTest.Result h = loupe("transcoder", "harvest", "--corpus", text.toString(), "--context", "16", "--layer",
                "1", "--tokens", "100000", "--shard-tokens", "200", "--out", acts.toString(), "--json");
        assertEquals(0, h.code(), h.err());
        JsonNode doc = JSON.readTree(h.out());
        Path config = Files.writeString(tmp.resolve("harvest.json"), "{\"corpus\": " + JSON.writeValueAsString(
                text.toString()) + ", \"policy\": {\"context\": 16}, \"pair\": {\"layer\": 1}, \"tokens\": "
                + "100000, \"shardTokens\": 200}");
        Path viaRun = tmp.resolve("acts-run");
        CliTest.Result r = loupe("method", "run", "transcoder-harvest", "--config", config.toString(), "--out",
                viaRun.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode runManifest = JSON.readTree(viaRun.resolve("manifest.json").toFile());
        assertEquals(doc.get("tokens"), runManifest.get("tokens"));
        assertEquals(JSON.readTree(acts.resolve("manifest.json").toFile()).get("hook_in"), runManifest.get("hook_in"));
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            List<Integer> stream = new ArrayList<>();
            for (String line : Files.readAllLines(text)) {
                stream.add(m.tokenizer().bosId().getAsInt());
                Arrays.stream(m.tokenizer().encode(JSON.readTree(line).get("text").asText())).forEach(stream::add);
            }
            int windows = stream.size() / 16;
            assertEquals(windows * 15L, doc.get("tokens").asLong(), "every window of the corpus, none invented");
            int[] first = stream.subList(0, 16).stream().mapToInt(Integer::intValue).toArray();
            HookPoint in = HookPoint.parse(doc.get("hook_in").asText());
            float[] expected = m.run(RunRequest.of(first).withCache(in)).activation(in).select(0).select(1).toArray();
            try (SafetensorsFile shard = SafetensorsFile.open(acts.resolve(doc.get("shards").get(0).asText()))) {
                float[] row = Arrays.copyOf(shard.tensor("x").toArray(), expected.length);
                for (int i = 0; i < row.length; i++) {
                    assertEquals(expected[i], row[i], 1e-5, "row 0 is the first window's position 1, dimension " + i);
                }
            }
        }
    }

    @Test
    void aTranscoderTrainedOnUserTextIsScoredOnHeldOutUserText() throws Exception {
        Path acts = tmp.resolve("acts");
        CliTest.Result h = loupe("transcoder", "harvest", "--corpus", corpus("train.jsonl", 2000, 1).toString(),
                "--layer", "1", "--tokens", "20000", "--out", acts.toString());
        assertEquals(0, h.code(), h.err());
        Path tc = tmp.resolve("tc");
        CliTest.Result t = loupe("transcoder", "train", "--activations", acts.toString(), "--out", tc.toString(),
                "--expansion", "4", "--steps", "400", "--batch", "256", "--buffer", "4096", "--warmup", "20",
                "--checkpoint-every", "400");
        assertEquals(0, t.code(), t.err());
        CliTest.Result e = loupe("transcoder", "eval", "--transcoder", tc.toString(), "--corpus",
                corpus("held-out.jsonl", 200, 2).toString(), "--windows", "16", "--json");
        assertEquals(0, e.code(), e.err());
        JsonNode doc = JSON.readTree(e.out());
        assertTrue(doc.get("corpus").asText().endsWith("held-out.jsonl"), doc.toString());
        double ev = doc.get("metrics").get("explained_variance").asDouble();
        assertTrue(ev > 0.7, "explained variance on held-out user text: " + ev);
        Path config = Files.writeString(tmp.resolve("eval-config.json"), JSON.writeValueAsString(java.util.Map.of(
                "transcoder", tc.toString(), "corpus", tmp.resolve("held-out.jsonl").toString(), "windows", 16)));
        Path run = tmp.resolve("eval-run");
        CliTest.Result m = loupe("method", "run", "transcoder-eval", "--config", config.toString(), "--seed", "7",
                "--out", run.toString());
        assertEquals(0, m.code(), m.err());
        assertEquals(doc, JSON.readTree(run.resolve("eval.json").toFile()), "one implementation behind both commands");
        assertTrue(m.out().contains("explained_variance"), m.out());
    }

    @Test
    void badCorpusInputIsOneLineAndWritesNothing() throws IOException {
        Path out = tmp.resolve("acts");
        CliTest.Result r = loupe("transcoder", "harvest", "--corpus", tmp.resolve("none.jsonl").toString(), "--out",
                out.toString());
        assertEquals(2, r.code());
        assertEquals("loupe: " + tmp.resolve("none.jsonl") + ": no such corpus (expected a text or .jsonl file, or a "
                + "folder of them)", r.err().strip());
        Path bad = Files.writeString(tmp.resolve("bad.jsonl"), "{\"text\": \"the man\"}\n[1, 2]\n");
        r = loupe("transcoder", "harvest", "--corpus", bad.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertEquals("loupe: " + bad + ":2: not a JSON object", r.err().strip());
        r = loupe("transcoder", "harvest", "--model", golden("gpt2-tiny"), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--corpus is required with --model"), r.err());
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "the man went to the city\n");
        String[][] unused = {
            {"--corpus", plain.toString(), "--field", "body"}, {"--field", "body"},
            {"--corpus", plain.toString(), "--seed", "3"},
        };
        String[] why = {"--field body applies to .jsonl and .parquet corpora; " + plain + " is plain text",
            "--field applies to a --corpus", "--seed does not apply with --corpus"};
        for (int i = 0; i < unused.length; i++) {
            List<String> args = new ArrayList<>(List.of("transcoder", "harvest", "--out", out.toString()));
            args.addAll(List.of(unused[i]));
            r = loupe(args.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertEquals("loupe: " + why[i], r.err().strip(), "an option nothing reads is refused, not ignored");
        }
        assertTrue(!Files.exists(out.resolve("manifest.json")), "nothing written");
    }
}
