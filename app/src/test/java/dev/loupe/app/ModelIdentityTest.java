package dev.loupe.app;

import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.Tensor;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.eval.toy.ToyWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vectors, transcoders and harvests name the model they were made on: applied to the same model, silent; to the
 * same kind with other weights (here: the golden GPT-2 with one weight's values reversed), a warning; to another
 * kind (GPT-NeoX of the same width), refused unless --force.
 */
class ModelIdentityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The word-level GPT-2 with the values of one weight reversed: the same shapes, other weights. */
    private Path shuffled(Path model) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("shuffled"));
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(model.resolve(f), dir.resolve(f));
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(model.resolve("model.safetensors"))) {
            for (String name : f.names()) {
                Tensor t = f.tensor(name);
                if (name.contains("h.1.mlp.c_fc.weight")) {
                    float[] v = t.toArray();
                    for (int i = 0; i < v.length / 2; i++) {
                        float x = v[i];
                        v[i] = v[v.length - 1 - i];
                        v[v.length - 1 - i] = x;
                    }
                    t = Tensor.of(v, t.shape());
                }
                tensors.put(name, t);
            }
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return dir;
    }

    private Path neox() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("neox-words"));
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(Path.of(CliTest.golden("neox-tiny")).resolve(f), dir.resolve(f));
        }
        List<String> vocab = new ArrayList<>(List.of(ToyWorld.BOS, ToyWorld.UNK));
        vocab.addAll(NonEmbeddedModelTest.WORDS);
        ToyWorld.writeTokenizer(dir, vocab);
        return dir;
    }

    @Test
    void aVectorOrTranscoderAppliedElsewhereIsWarnedAboutOrRefused() throws Exception {
        Path model = NonEmbeddedModelTest.wordModel(tmp);
        Path v = tmp.resolve("v");
        assertEquals(0, loupe("steer", "optimize", "--model", model.toString(), "--prompt", "the man went to the",
                "--promote", "city", "--layer", "1", "--iterations", "3", "--out", v.toString()).code());
        JsonNode meta = JSON.readTree(tmp.resolve("v.json").toFile());
        assertEquals(64, meta.get("model").get("shapes").asText().length(), "hex SHA-256 of the shapes");
        Path prompts = Files.writeString(tmp.resolve("p.jsonl"), "{\"prompt\": \"she saw the\", \"promote\": \"city\"}\n");
        CliTest.Result same = loupe("steer", "eval", "--model", model.toString(), "--vector", v.toString(),
                "--prompts", prompts.toString());
        assertEquals(0, same.code(), same.err());
        assertTrue(!same.err().contains("warning"), same.err());
        Path other = shuffled(model);
        CliTest.Result warned = loupe("steer", "eval", "--model", other.toString(), "--vector", v.toString(),
                "--prompts", prompts.toString());
        assertEquals(0, warned.code(), warned.err());
        assertTrue(warned.err().contains("loupe: warning: " + v + " was made on other weights of this kind of model"),
                warned.err());
        Path neox = neox();
        CliTest.Result refused = loupe("steer", "eval", "--model", neox.toString(), "--vector", v.toString(),
                "--prompts", prompts.toString());
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().strip().startsWith("loupe: " + v + " was made on another kind of model (shapes "
                + "fingerprint ") && refused.err().strip().endsWith("; --force applies it anyway"), refused.err());
        CliTest.Result forced = loupe("steer", "eval", "--model", neox.toString(), "--vector", v.toString(),
                "--prompts", prompts.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(forced.err().contains("applied because of --force"), forced.err());

        Path acts = tmp.resolve("acts");
        assertEquals(0, loupe("transcoder", "harvest", "--model", model.toString(), "--corpus",
                CliTest.testdata("parquet/corpus-snappy.parquet").toString(), "--layer", "1", "--tokens", "600",
                "--out", acts.toString()).code());
        assertEquals(meta.get("model"), JSON.readTree(acts.resolve("manifest.json").toFile()).get("model_fingerprint"),
                "the harvest names the same model");
        Path tc = tmp.resolve("tc");
        assertEquals(0, loupe("transcoder", "train", "--model", model.toString(), "--activations", acts.toString(),
                "--out", tc.toString(), "--expansion", "2", "--steps", "20", "--batch", "64", "--buffer", "512",
                "--warmup", "2", "--checkpoint-every", "20").code());
        assertEquals(meta.get("model"), JSON.readTree(tc.resolve("cfg.json").toFile()).get("metadata")
                .get("model_fingerprint"), "the transcoder names the model its activations came from");
        CliTest.Result tcWarned = loupe("transcoder", "eval", "--model", other.toString(), "--transcoder",
                tc.toString(), "--corpus", CliTest.testdata("parquet/plain-gzip.parquet").toString(), "--windows", "2");
        assertEquals(0, tcWarned.code(), tcWarned.err());
        assertTrue(tcWarned.err().contains("was made on other weights of this kind of model"), tcWarned.err());
        CliTest.Result tcRefused = loupe("transcoder", "eval", "--model", neox.toString(), "--transcoder",
                tc.toString(), "--corpus", CliTest.testdata("parquet/plain-gzip.parquet").toString(), "--windows", "2");
        assertEquals(2, tcRefused.code(), tcRefused.err());
        Path config = Files.writeString(tmp.resolve("eval.json"), JSON.writeValueAsString(java.util.Map.of(
                "transcoder", tc.toString(), "corpus", CliTest.testdata("parquet/plain-gzip.parquet").toString(),
                "windows", 2)));
        CliTest.Result runRefused = loupe("method", "run", "transcoder-eval", "--model", neox.toString(), "--config",
                config.toString(), "--out", tmp.resolve("eval-run").toString());
        assertEquals(2, runRefused.code(), runRefused.err());
        assertTrue(runRefused.err().contains("was made on another kind of model"), "the plugin checks too: "
                + runRefused.err());
        assertTrue(Files.notExists(tmp.resolve("eval-run")), "nothing written");
    }
}
