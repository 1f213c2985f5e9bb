package dev.loupe.hf;

import static dev.loupe.hf.EditedCheckpoints.assertRefused;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config values out of range or disagreeing with the checkpoint: one-line errors before anything is allocated. */
class ConfigValidationTest {
    @TempDir
    Path tmp;

    private final Path gpt2 = TestData.golden("gpt2-tiny");
    private final Path llama = TestData.golden("llama-tiny");

    @Test
    void aHugeLayerCountIsRefusedAgainstTheCheckpoint() throws IOException {
        assertRefused(tmp, gpt2, c -> c.put("n_layer", Integer.MAX_VALUE), "n_layer");
    }

    @Test
    void fewerLayersThanTheCheckpointIsRefused() throws IOException {
        assertRefused(tmp, gpt2, c -> c.put("n_layer", 1), "n_layer");
    }

    @Test
    void zeroOrNonDividingHeadsAreRefused() throws IOException {
        assertRefused(tmp, gpt2, c -> c.put("n_head", 0), "n_head");
        assertRefused(tmp, gpt2, c -> c.put("n_head", 5), "n_head");
        assertRefused(tmp, llama, c -> c.put("num_key_value_heads", 3), "num_key_value_heads");
    }

    @Test
    void nonPositiveEpsAndRopeThetaAreRefused() throws IOException {
        assertRefused(tmp, gpt2, c -> c.put("layer_norm_epsilon", -1e-5), "layer_norm_epsilon");
        assertRefused(tmp, llama, c -> c.put("rms_norm_eps", 0.0), "rms_norm_eps");
        assertRefused(tmp, llama, c -> c.put("rope_theta", 0.0), "rope_theta");
        assertRefused(tmp, llama, c -> c.put("rope_theta", -10000.0), "rope_theta");
    }

    @Test
    void wrongTypesAreRefusedByName() throws IOException {
        assertRefused(tmp, gpt2, c -> c.put("n_embd", "64"), "n_embd");
        assertRefused(tmp, gpt2, c -> c.put("n_embd", 64.5), "n_embd");
        assertRefused(tmp, gpt2, c -> c.put("n_positions", -4), "n_positions");
        assertRefused(tmp, gpt2, c -> c.put("vocab_size", 4294967360L), "vocab_size");
    }

    @Test
    void deeplyNestedConfigIsOneLine() throws IOException {
        Path dir = java.nio.file.Files.createDirectory(tmp.resolve("nested"));
        java.nio.file.Files.writeString(dir.resolve("config.json"), "{\"model_type\":" + "[".repeat(10_000));
        dev.loupe.api.LoupeException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.loupe.api.LoupeException.class, () -> HfConfig.read(dir.resolve("config.json")));
        org.junit.jupiter.api.Assertions.assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    /** HF keeps an explicit null as None (no cap) and uses 50 / 30 only when the field is absent (Gemma 2). */
    @Test
    void gemma2SoftcapsAreOffWhenNullAndHfsDefaultsWhenAbsent() throws IOException {
        Path gemma2 = TestData.golden("families/gemma2");
        try (HfCheckpoint c = HfCheckpoint.open(EditedCheckpoints.copy(tmp, gemma2,
                n -> n.putNull("attn_logit_softcapping").putNull("final_logit_softcapping")))) {
            org.junit.jupiter.api.Assertions.assertEquals(0, c.spec().features().attentionSoftcap());
            org.junit.jupiter.api.Assertions.assertEquals(0, c.spec().features().finalSoftcap());
        }
        try (HfCheckpoint c = HfCheckpoint.open(EditedCheckpoints.copy(tmp, gemma2,
                n -> n.without(java.util.List.of("attn_logit_softcapping", "final_logit_softcapping"))))) {
            org.junit.jupiter.api.Assertions.assertEquals(50, c.spec().features().attentionSoftcap());
            org.junit.jupiter.api.Assertions.assertEquals(30, c.spec().features().finalSoftcap());
        }
        assertRefused(tmp, gemma2, n -> n.put("final_logit_softcapping", 0.0), "final_logit_softcapping");
    }
}
