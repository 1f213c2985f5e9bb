package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.api.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real-world spellings of the same checkpoints load to the same model. */
class CheckpointVariantsTest {
    @TempDir
    Path tmp;

    private static Map<String, Tensor> tensors(String golden) {
        Map<String, Tensor> out = new TreeMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(TestData.golden(golden).resolve("model.safetensors"))) {
            for (String n : f.names()) {
                out.put(n, f.tensor(n));
            }
        }
        return out;
    }

    private Path variant(String golden, UnaryOperator<String> config, Map<String, Tensor> weights) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(golden + "-" + System.nanoTime()));
        Files.writeString(dir.resolve("config.json"),
                config.apply(Files.readString(TestData.golden(golden).resolve("config.json"))));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
        return dir;
    }

    private static RunResult run(Path dir, String golden, HookPoint... cache) {
        try (Model m = new DjlEngine().load(ModelSource.directory(dir))) {
            return m.run(RunRequest.of(GoldenModels.ids(golden, 1)).withCache(cache));
        }
    }

    @Test
    void shardedCheckpointWithIndexEqualsSingleFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(TestData.golden("gpt2-tiny").resolve("config.json"), dir.resolve("config.json"));
        Map<String, Tensor> first = new TreeMap<>();
        Map<String, Tensor> second = new TreeMap<>();
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        tensors("gpt2-tiny").forEach((name, t) -> {
            boolean one = name.contains(".h.0.") || name.contains("wte");
            (one ? first : second).put(name, t);
            index.append(index.charAt(index.length() - 1) == '{' ? "" : ",").append('"').append(name).append("\": \"")
                    .append(one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
        });
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), first, Map.of());
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), second, Map.of());
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.append("}}").toString());
        assertEquals(run(TestData.golden("gpt2-tiny"), "gpt2-tiny").logits(), run(dir, "gpt2-tiny").logits());
    }

    @Test
    void gpt2NamesWithoutTransformerPrefixLoad() throws IOException {
        Map<String, Tensor> renamed = new TreeMap<>();
        tensors("gpt2-tiny").forEach((n, t) -> renamed.put(n.replaceFirst("^transformer\\.", ""), t));
        Path dir = variant("gpt2-tiny", c -> c, renamed);
        assertEquals(run(TestData.golden("gpt2-tiny"), "gpt2-tiny").logits(), run(dir, "gpt2-tiny").logits());
    }

    @Test
    void neoxOldRotaryKeysMeanTheSame() throws IOException {
        Path dir = variant("neox-tiny", c -> c.replaceAll("\"rope_parameters\"\\s*:\\s*\\{[^}]*\\}",
                "\"rotary_pct\": 0.25, \"rotary_emb_base\": 10000"), tensors("neox-tiny"));
        assertTrue(Files.readString(dir.resolve("config.json")).contains("rotary_pct"));
        assertEquals(run(TestData.golden("neox-tiny"), "neox-tiny").logits(), run(dir, "neox-tiny").logits());
    }

    @Test
    void qwen2QkvBiasesAreAdded() throws IOException {
        Map<String, Tensor> weights = tensors("llama-tiny");
        float[] bias = new float[64];
        for (int i = 0; i < bias.length; i++) {
            bias[i] = 0.01f * i;
        }
        weights.put("model.layers.0.self_attn.q_proj.bias", Tensor.zeros(64));
        weights.put("model.layers.0.self_attn.k_proj.bias", Tensor.zeros(32));
        weights.put("model.layers.0.self_attn.v_proj.bias", Tensor.zeros(32));
        weights.put("model.layers.1.self_attn.q_proj.bias", Tensor.vector(bias));
        weights.put("model.layers.1.self_attn.k_proj.bias", Tensor.zeros(32));
        weights.put("model.layers.1.self_attn.v_proj.bias", Tensor.zeros(32));
        Path dir = variant("llama-tiny", c -> c.replace("\"llama\"", "\"qwen2\""), weights);
        HookPoint q = HookPoint.parse("blocks.1.attn.hook_q");
        Tensor plain = run(TestData.golden("llama-tiny"), "llama-tiny", q).activation(q);
        Tensor biased = run(dir, "llama-tiny", q).activation(q);
        for (int p = 0; p < 7; p++) {
            for (int h = 0; h < 4; h++) {
                for (int j = 0; j < 16; j++) {
                    assertEquals(plain.get(0, p, h, j) + bias[h * 16 + j], biased.get(0, p, h, j), 1e-5);
                }
            }
        }
    }

    @Test
    void gpt2WriterRoundTripsBitExactly() {
        Path out = tmp.resolve("written");
        try (Model m = GoldenModels.load("gpt2-tiny")) {
            dev.loupe.hf.Gpt2CheckpointWriter.write(out, m.spec(), m.weights(), 0);
        }
        assertEquals(run(TestData.golden("gpt2-tiny"), "gpt2-tiny").logits(), run(out, "gpt2-tiny").logits());
    }
}
