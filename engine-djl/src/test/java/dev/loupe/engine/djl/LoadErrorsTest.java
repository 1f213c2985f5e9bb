package dev.loupe.engine.djl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.api.spi.ModelSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bad input fails with one line that names the file (or hook, or token) and what was expected. */
class LoadErrorsTest {
    @TempDir
    Path tmp;

    private Path copyOfGolden() throws IOException {
        Path src = TestData.golden("gpt2-tiny");
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        return dir;
    }

    private static String failure(Executable e, String... mustContain) {
        LoupeException ex = assertThrows(LoupeException.class, e);
        String msg = ex.getMessage();
        assertFalse(msg.contains("\n"), "one line: " + msg);
        for (String s : mustContain) {
            assertTrue(msg.contains(s), "'" + msg + "' should mention '" + s + "'");
        }
        return msg;
    }

    private static void load(Path dir) {
        new DjlEngine().load(ModelSource.directory(dir)).close();
    }

    @Test
    void missingConfig() throws IOException {
        Path dir = copyOfGolden();
        Files.delete(dir.resolve("config.json"));
        failure(() -> load(dir), "no config.json", "model");
    }

    @Test
    void unknownModelType() throws IOException {
        Path dir = copyOfGolden();
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
        failure(() -> load(dir), "config.json", "model_type", "'bert'", "gpt2", "llama");
    }

    @Test
    void missingConfigField() throws IOException {
        Path dir = copyOfGolden();
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 2}");
        failure(() -> load(dir), "config.json", "n_embd", "expected an integer");
    }

    private void rewriteWeights(Path dir, java.util.function.Consumer<Map<String, Tensor>> change) {
        Map<String, Tensor> tensors = new TreeMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (String n : f.names()) {
                tensors.put(n, f.tensor(n));
            }
        }
        change.accept(tensors);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    }

    @Test
    void missingTensor() throws IOException {
        Path dir = copyOfGolden();
        rewriteWeights(dir, t -> t.remove("transformer.h.1.mlp.c_fc.weight"));
        failure(() -> load(dir), "model.safetensors", "'transformer.h.1.mlp.c_fc.weight' missing", "[64, 256]");
    }

    @Test
    void tensorOfWrongShape() throws IOException {
        Path dir = copyOfGolden();
        rewriteWeights(dir, t -> t.put("transformer.h.0.attn.c_attn.weight", Tensor.zeros(64, 190)));
        failure(() -> load(dir), "model.safetensors", "c_attn.weight", "[64, 190]", "expected [64, 192]");
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path dir = copyOfGolden();
        Path f = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 1000));
        failure(() -> load(dir), "model.safetensors", "truncated");
    }

    private static byte[] headerOnly(long declaredLength, String json) {
        ByteBuffer b = ByteBuffer.allocate(8 + json.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(json.getBytes());
        return b.array();
    }

    @Test
    void headerLengthLargerThanFile() throws IOException {
        Path dir = copyOfGolden();
        Files.write(dir.resolve("model.safetensors"), headerOnly(5000, "{}      "));
        failure(() -> load(dir), "model.safetensors", "header length 5000 is larger than the file");
    }

    @Test
    void headerOf100Megabytes() throws IOException {
        Path dir = copyOfGolden();
        Files.write(dir.resolve("model.safetensors"), headerOnly(100L << 20, "{}"));
        failure(() -> load(dir), "model.safetensors", "header length 104857600 exceeds", "100000000");
    }

    @Test
    void pickleIsRefusedWithConversionHint() throws IOException {
        Path dir = copyOfGolden();
        Files.delete(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        failure(() -> load(dir), "pytorch_model.bin", "pickle", "save_pretrained", "safe_serialization=True");
        failure(() -> load(dir.resolve("pytorch_model.bin")), "pytorch_model.bin", "pickle");
    }

    @Test
    void tokenIdOutOfRangeAndUnknownHook() {
        try (Model m = GoldenModels.load("gpt2-tiny")) {
            failure(() -> m.run(RunRequest.of(new int[] {1, 2, 600})), "token id 600", "position 2",
                    "vocabulary of 512");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HookPoint.parse("blocks.0.hook_resid_pree"));
            assertTrue(e.getMessage().contains("nearest valid names: blocks.0.hook_resid_pre"), e.getMessage());
            failure(() -> m.run(RunRequest.of(new int[] {1}).withCache(HookPoint.residPre(5))), "layer 5",
                    "layers 0..1");
        }
    }
}
