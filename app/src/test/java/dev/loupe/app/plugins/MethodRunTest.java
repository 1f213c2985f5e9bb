package dev.loupe.app.plugins;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.app.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loupe method run} runs any method found: ours from a JSON config (the same vector as {@code steer
 * optimize} with the same settings), and a third party's jar built at test time, dropped on the module path or on
 * the class path of a fresh {@code loupe} process.
 */
class MethodRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void steeringFromAJsonConfigIsWhatTheFriendlyCommandWrites() throws Exception {
        Result cli = loupe("steer", "optimize", "--prompt", "User : how do I make a bomb ? Assistant :", "--promote",
                "Sure ,", "--layer", "1", "--iterations", "5", "--out", tmp.resolve("cli").resolve("v").toString());
        assertEquals(0, cli.code(), cli.err());
        Path config = Files.writeString(tmp.resolve("steer.json"), "{\"datapoints\": [{\"prompt\": \"User : how do I "
                + "make a bomb ? Assistant :\", \"promote\": [\"Sure ,\"], \"suppress\": []}], "
                + "\"name\": \"v\", \"steering\": {\"layer\": 1, \"maxIterations\": 5}}");
        Path out = tmp.resolve("plugin");
        Result run = loupe("method", "run", "steering", "--config", config.toString(), "--out",
                out.toString(), "--json");
        assertEquals(0, run.code(), run.err());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("cli").resolve("v.safetensors")),
                Files.readAllBytes(out.resolve("v.safetensors")), "one implementation behind both commands");
        assertEquals(Files.readString(tmp.resolve("cli").resolve("v.json")), Files.readString(out.resolve("v.json")));
        JsonNode result = JSON.readTree(out.resolve("result.json").toFile());
        assertEquals(JSON.readTree(run.out()), result);
        assertEquals(List.of("v.json", "v.safetensors"), List.of(result.get("artifacts").get(0).asText(),
                result.get("artifacts").get(1).asText()));
        assertTrue(result.get("metrics").get("loss").asDouble() < result.get("metrics").get("initial_loss").asDouble(),
                result.toString());

        String vector = tmp.resolve("cli").resolve("v").toString();
        Result eval = loupe("steer", "eval", "--vector", vector, "--limit", "20", "--json");
        assertEquals(0, eval.code(), eval.err());
        Path evalConfig = Files.writeString(tmp.resolve("eval.json"), "{\"vector\": " + JSON.writeValueAsString(vector)
                + ", \"limit\": 20}");
        Result evalRun = loupe("method", "run", "steering-eval", "--config", evalConfig.toString(), "--out",
                tmp.resolve("eval-run").toString());
        assertEquals(0, evalRun.code(), evalRun.err());
        JsonNode summary = JSON.readTree(eval.out());
        JsonNode conditions = summary.get("conditions");
        assertEquals(4, conditions.size(), "unsteered, +v, -v, random of the same norm: " + conditions);
        assertEquals(vector, summary.get("vector").asText(), "what was scored is in the JSON too: " + summary);
        assertEquals("blocks.1.hook_resid_pre", summary.get("hook").asText());
        assertEquals(summary, JSON.readTree(tmp.resolve("eval-run").resolve("result.json").toFile()).get("summary"),
                "steer eval and method run steering-eval score the same");
        assertTrue(evalRun.out().contains("random, same norm"), "the table is printed: " + evalRun.out());
    }

    @Test
    void steeringBaselinesFromAJsonConfigAreWhatTheFriendlyCommandsGive() throws Exception {
        Result cli = loupe("steer", "caa", "--task", "trigger-choice", "--pairs", "6", "--layer", "1", "--out",
                tmp.resolve("cli").resolve("caa").toString(), "--json");
        assertEquals(0, cli.code(), cli.err());
        Path config = Files.writeString(tmp.resolve("caa.json"), "{\"task\": \"trigger-choice\", \"pairs\": 6, "
                + "\"layer\": 1}");
        Path out = tmp.resolve("plugin");
        Result run = loupe("method", "run", "toyworld-caa", "--config", config.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("cli").resolve("caa.safetensors")),
                Files.readAllBytes(out.resolve("caa.safetensors")), "one implementation behind both commands");
        JsonNode caa = JSON.readTree(cli.out());
        assertEquals("6 trigger pairs: choice prompt with the unmonitored marker minus without",
                caa.get("pairs").asText());
        assertEquals(1, caa.get("layer").asInt());
        assertEquals(caa.get("norm").asDouble(), JSON.readTree(out.resolve("result.json").toFile()).get("summary")
                .get("norm").asDouble(), 0.0);

        Result prefill = loupe("steer", "prefill", "--limit", "5", "--json");
        assertEquals(0, prefill.code(), prefill.err());
        Path prefillConfig = Files.writeString(tmp.resolve("prefill.json"), "{\"limit\": 5}");
        Result prefillRun = loupe("method", "run", "toyworld-prefill", "--config", prefillConfig.toString(), "--out",
                tmp.resolve("prefill").toString());
        assertEquals(0, prefillRun.code(), prefillRun.err());
        JsonNode p = JSON.readTree(prefill.out());
        assertEquals(5, p.get("forbidden").asInt());
        assertEquals(p, JSON.readTree(tmp.resolve("prefill").resolve("result.json").toFile()).get("summary"));
    }

    @Test
    void transcoderTrainingFromAJsonConfigIsWhatTheFriendlyCommandTrains() throws Exception {
        Path acts = tmp.resolve("acts");
        Result h = loupe("transcoder", "harvest", "--layer", "1", "--tokens", "3000", "--out", acts.toString());
        assertEquals(0, h.code(), h.err());
        Result cli = loupe("transcoder", "train", "--activations", acts.toString(), "--out", tmp.resolve("cli").toString(),
                "--expansion", "2", "--steps", "30", "--batch", "128", "--buffer", "1024", "--warmup", "5",
                "--checkpoint-every", "10");
        assertEquals(0, cli.code(), cli.err());
        Path config = Files.writeString(tmp.resolve("train.json"), "{\"activations\": \"" + acts + "\", \"training\": "
                + "{\"expansion\": 2, \"steps\": 30, \"batch\": 128, \"bufferRows\": 1024, \"warmup\": 5, "
                + "\"checkpointEvery\": 10}}");
        Path out = tmp.resolve("plugin");
        Result run = loupe("method", "run", "transcoder", "--config", config.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(dev.loupe.dictionary.TranscoderFile.read(tmp.resolve("cli")),
                dev.loupe.dictionary.TranscoderFile.read(out), "one implementation behind both commands");
        JsonNode result = JSON.readTree(out.resolve("result.json").toFile());
        assertEquals(List.of("cfg.json", "sae_weights.safetensors", "checkpoint.safetensors", "training.json"),
                JSON.convertValue(result.get("artifacts"), List.class));
        assertEquals(JSON.readTree(tmp.resolve("cli").resolve("training.json").toFile()).get("curve").size(),
                JSON.readTree(out.resolve("training.json").toFile()).get("curve").size());
    }

    @Test
    void obsPropFromAJsonConfigIsWhatTheFriendlyCommandRanks() throws Exception {
        Result cli = loupe("obsprop", "features", "--observable", "logit('she') - logit('he')", "--prompt",
                "Alice gave Bob the book because", "--json", "--out", tmp.resolve("cli").toString());
        assertEquals(0, cli.code(), cli.err());
        Path config = Files.writeString(tmp.resolve("obsprop.json"), "{\"observable\": \"logit('she') - logit('he')\", "
                + "\"prompt\": \"Alice gave Bob the book because\"}");
        Path out = tmp.resolve("plugin");
        Result run = loupe("method", "run", "obsprop", "--config", config.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode result = JSON.readTree(out.resolve("result.json").toFile());
        assertEquals(JSON.readTree(cli.out()), result.get("summary"), "one implementation behind both commands");
        assertTrue(result.get("metrics").get("layer_norm_rule_cosine").asDouble() > 0.95, result.toString());
        assertEquals("[\"observable-features.json\"]", result.get("artifacts").toString());
        assertEquals(result.get("summary"), JSON.readTree(out.resolve("observable-features.json").toFile()));
        assertTrue(run.out().contains("final LayerNorm, d = "), "the summary's lines are printed: " + run.out());
    }

    /** The defaults depend on the model's shapes only: a folder with config.json and no weights lists them. */
    @Test
    void methodListReadsTheConfigAloneNotTheWeights() throws Exception {
        Path shapesOnly = Files.createDirectories(tmp.resolve("config-only"));
        Files.copy(Path.of(golden("gpt2-tiny")).resolve("config.json"), shapesOnly.resolve("config.json"));
        Result r = loupe("method", "list", "--model", shapesOnly.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode steering = null;
        for (JsonNode row : JSON.readTree(r.out())) {
            if (row.get("name").asText().equals("steering")) {
                steering = row;
            }
        }
        assertEquals(1, steering.get("defaults").get("steering").get("layer").asInt(), "the middle of 2 layers");
    }

    @Test
    void aConfigFieldTheMethodLacksOrOneWithoutDefaultIsOneLine() throws IOException {
        Path unknown = Files.writeString(tmp.resolve("a.json"), "{\"datapoints\": [], \"steering\": {\"layr\": 1}}");
        Result r = loupe("method", "run", "steering", "--config", unknown.toString(), "--out", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("loupe: " + unknown + ": field 'steering.layr' is not a field of this config"),
                r.err());
        Path missing = Files.writeString(tmp.resolve("b.json"), "{\"name\": \"v2\"}");
        r = loupe("method", "run", "steering", "--config", missing.toString(), "--out", tmp.toString());
        assertEquals(2, r.code());
        assertEquals("loupe: " + missing + ": field 'datapoints' missing (it has no default)", r.err().strip());
        assertEquals(List.of("a.json", "b.json"), names(tmp), "nothing written");
    }

    @Test
    void aThirdPartyMethodRunsFromTheModulePathAndFromTheClassPath() throws Exception {
        Path jar = PluginJars.methodJar(tmp, "acme.method", "HeadCounter", "acme-count");
        Path config = Files.writeString(tmp.resolve("count.json"), "{\"heads\": 3}");
        for (List<String> launch : PluginJars.launches(jar)) {
            Path out = tmp.resolve("out-" + launch.get(0).replace("-", ""));
            PluginJars.Launched p = PluginJars.loupe(launch, List.of("method", "run", "acme-count", "--model",
                    golden("gpt2-tiny"), "--config", config.toString(), "--out", out.toString()));
            assertEquals(0, p.code(), launch.get(0) + ": " + p.output());
            assertEquals("12", Files.readString(out.resolve("heads.txt")), "4 heads of gpt2-tiny × 3");
            JsonNode result = JSON.readTree(out.resolve("result.json").toFile());
            assertEquals(12.0, result.get("metrics").get("heads").asDouble());
            assertEquals("acme-count", result.get("method").asText());
        }
    }

    private record Result(int code, String out, String err) {}

    private static Result loupe(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    static String golden(String name) {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("testdata/golden").resolve(name))) {
                return dir.resolve("testdata/golden").resolve(name).toString();
            }
        }
        throw new IllegalStateException("testdata not found");
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
