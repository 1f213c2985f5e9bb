package dev.loupe.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing in a checkpoint is silently ignored: for every family, each math-changing config field Loupe does not
 * implement, set to a value other than the one it computes, is refused by name; so is a field nobody reads; a
 * tensor no adapter reads is an error, and so is a bias the config promises but the file lacks.
 */
class ConfigRefusalTest {
    private static final ObjectMapper JSON = EditedCheckpoints.JSON;

    @TempDir
    Path tmp;

    static Stream<String> families() {
        Stream<String> loupe = Stream.of("gemma3-linear-rope", "llama32-tied", "mistral-head-dim", "qwen3-sliding",
                "phi3-sliding", "opt-no-bias", "neox-sequential", "gpt2-relu-n-inner", "gptj-full-rotary")
                .map(f -> "loupe-families/" + f);
        return Stream.concat(Stream.concat(Stream.of("gpt2-tiny", "neox-tiny", "llama-tiny"),
                Stream.of("gemma", "gemma2", "gemma3-text", "qwen3", "qwen2-sliding", "mistral-sliding", "llama3-rope",
                        "llama-linear-rope", "llama-biases", "phi3", "olmo2", "gptj", "gpt-neo", "phi", "opt",
                        "neox-no-attention-bias", "gpt2-inverse-layer-scale").map(f -> "families/" + f)), loupe);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void everyPinnedFieldIsRefusedByNameWhenChanged(String family) throws IOException {
        Path source = TestData.golden(family);
        try (HfCheckpoint ok = HfCheckpoint.open(copy(source, c -> { }))) {
            assertEquals(ok.spec().nLayers(), ok.weights().keySet().stream().filter(n -> n.endsWith(".attn.W_Q")).count());
        }
        HfConfig config = HfConfig.read(source.resolve("config.json"));
        ArchitectureAdapter adapter = HfCheckpoint.adapterFor(config);
        Map<String, Object> pinned = new LinkedHashMap<>(ConfigFields.FIXED);
        pinned.putAll(adapter.fixedFields());
        for (Map.Entry<String, Object> e : pinned.entrySet()) {
            JsonNode flipped = flip(JSON.valueToTree(e.getValue()));
            assertRefused(source, c -> c.set(e.getKey(), flipped), e.getKey());
        }
        assertRefused(source, c -> c.put("loupe_unknown_switch", 3), "loupe_unknown_switch");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void aTensorNoAdapterReadsIsAnError(String family) throws IOException {
        Path dir = copy(TestData.golden(family), c -> { });
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            f.names().forEach(n -> tensors.put(n, f.tensor(n)));
        }
        tensors.put("model.layers.0.mlp.extra_proj.weight", Tensor.zeros(2, 2));
        Files.delete(dir.resolve("model.safetensors"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        LoupeException e = assertThrows(LoupeException.class, () -> HfCheckpoint.open(dir).close());
        assertTrue(e.getMessage().contains("model.layers.0.mlp.extra_proj.weight"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void rotaryScalingLoupeDoesNotComputeIsRefusedByName() throws IOException {
        for (String type : List.of("dynamic", "yarn", "longrope")) {
            assertRefused(TestData.golden("families/llama3-rope"),
                    c -> ((ObjectNode) c.get("rope_parameters")).put("rope_type", type), "rope_type");
        }
        assertRefused(TestData.golden("families/llama3-rope"),
                c -> ((ObjectNode) c.get("rope_parameters")).put("attention_factor", 2.0), "attention_factor");
        assertRefused(TestData.golden("families/gemma2"), c -> c.putArray("layer_types").add("chunked_attention")
                .add("full_attention").add("full_attention"), "layer_types");
        assertRefused(TestData.golden("families/opt"), c -> c.put("word_embed_proj_dim", 32), "word_embed_proj_dim");
    }

    @Test
    void aBiasTheConfigPromisesButTheFileLacksIsAnError() throws IOException {
        Path dir = copy(TestData.golden("families/neox-no-attention-bias"), c -> c.put("attention_bias", true));
        LoupeException e = assertThrows(LoupeException.class, () -> {
            try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
                ckpt.weights().values().forEach(WeightMapping.TensorReader::read);
            }
        });
        assertTrue(e.getMessage().contains("query_key_value.bias"), e.getMessage());
    }

    @Test
    void biasesInTheFileThatTheConfigTurnsOffAreAnError() throws IOException {
        Path dir = copy(TestData.golden("families/llama-biases"), c -> c.put("mlp_bias", false));
        LoupeException e = assertThrows(LoupeException.class, () -> HfCheckpoint.open(dir).close());
        assertTrue(e.getMessage().contains("mlp.") && e.getMessage().contains("bias"), e.getMessage());
    }

    private void assertRefused(Path source, Consumer<ObjectNode> edit, String field) throws IOException {
        EditedCheckpoints.assertRefused(tmp, source, edit, field);
    }

    private Path copy(Path source, Consumer<ObjectNode> edit) throws IOException {
        return EditedCheckpoints.copy(tmp, source, edit);
    }

    private static JsonNode flip(JsonNode v) {
        if (v.isBoolean()) {
            return JSON.getNodeFactory().booleanNode(!v.booleanValue());
        }
        if (v.isNumber()) {
            return JSON.getNodeFactory().numberNode(v.doubleValue() + 1);
        }
        return JSON.createObjectNode().put("loupe_flipped", 1);
    }
}
