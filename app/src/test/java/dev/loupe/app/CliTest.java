package dev.loupe.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.io.SafetensorsFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end: output, files written, exit codes and one-line errors. */
class CliTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result loupe(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    static String golden(String name) {
        return testdata("golden/" + name).toString();
    }

    /** A file or folder under the project's testdata/, found from any module's working directory. */
    static Path testdata(String relative) {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("testdata").resolve(relative))) {
                return dir.resolve("testdata").resolve(relative);
            }
        }
        throw new IllegalStateException("testdata/" + relative + " not found");
    }

    @Test
    void runPrintsTopKAsJsonAndWritesTheCache() throws Exception {
        Path cache = tmp.resolve("cache.safetensors");
        Result r = loupe("run", "--model", golden("gpt2-tiny"), "--tokens", "311,229,337,396,162,180,152",
                "--top-k", "3", "--json", "--cache", "blocks.0.hook_resid_pre,blocks.1.attn.hook_pattern",
                "--out", cache.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("djl", doc.get("engine").asText());
        assertEquals(3, doc.get("top_k").size());
        double p0 = doc.get("top_k").get(0).get("prob").asDouble();
        assertTrue(p0 >= doc.get("top_k").get(1).get("prob").asDouble() && p0 > 0 && p0 < 1);
        try (SafetensorsFile f = SafetensorsFile.open(cache)) {
            assertEquals(Set.of("blocks.0.hook_resid_pre", "blocks.1.attn.hook_pattern", "input_ids", "logits"),
                    f.names());
            assertEquals(4, f.entry("blocks.1.attn.hook_pattern").shape().length);
            assertArrayEquals(new int[] {1, 7, 512}, f.entry("logits").shape());
        }
    }

    @Test
    void runOutWithoutACacheWritesLogitsThatMatchTheReferencePositionByPosition() throws Exception {
        Path file = tmp.resolve("logits.safetensors");
        Result r = loupe("run", "--model", golden("gpt2-tiny"), "--tokens", "311,229,337,396,162,180,152",
                "--out", file.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(file);
             SafetensorsFile ref = SafetensorsFile.open(Path.of(golden("gpt2-tiny")).resolve("activations.safetensors"))) {
            assertEquals(Set.of("input_ids", "logits"), f.names());
            double diff = ref.tensor("seq1.logits").maxAbsDiff(f.tensor("logits").reshape(7, 512));
            assertTrue(diff < 1e-4, "logits differ from the reference by " + diff);
        }
    }

    @Test
    void transformerLensProcessingKeepsTheNextTokenDistribution() throws Exception {
        String[] base = {"run", "--model", golden("gpt2-tiny"), "--tokens", "311,229,337,396", "--top-k", "5", "--json"};
        Result plain = loupe(base);
        String[] processed = java.util.Arrays.copyOf(base, base.length + 2);
        processed[base.length] = "--processing";
        processed[base.length + 1] = "transformer-lens";
        Result tl = loupe(processed);
        assertEquals(0, tl.code(), tl.err());
        JsonNode a = new ObjectMapper().readTree(plain.out()).get("top_k");
        JsonNode b = new ObjectMapper().readTree(tl.out()).get("top_k");
        for (int k = 0; k < 5; k++) {
            assertEquals(a.get(k).get("id").asInt(), b.get(k).get("id").asInt());
            assertEquals(a.get(k).get("prob").asDouble(), b.get(k).get("prob").asDouble(), 1e-5);
        }
        Result bad = loupe("run", "--model", golden("gpt2-tiny"), "--tokens", "1", "--processing", "fold");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("fold") && bad.err().contains("transformer-lens"), bad.err());
    }

    @Test
    void engineChoiceGivesTheSameTopK() {
        String[] base = {"run", "--model", golden("llama-tiny"), "--tokens", "145,489,134", "--top-k", "5"};
        Result byDefault = loupe(base);
        String[] named = java.util.Arrays.copyOf(base, base.length + 2);
        named[base.length] = "--engine";
        named[base.length + 1] = "djl";
        assertEquals(0, byDefault.code(), byDefault.err());
        assertEquals(byDefault.out(), loupe(named).out());
    }

    @Test
    void anExportedOnnxFileRunsOnEngineOnnxWithDjlsTopK() throws Exception {
        Path file = tmp.resolve("export").resolve("model.onnx");
        Result export = loupe("export-onnx", "--out", file.toString());
        assertEquals(0, export.code(), export.err());
        assertTrue(Files.isRegularFile(file.resolveSibling("tokenizer.json")), export.out());
        String prompt = "The war lasted from the year 1732 to the year 17";
        JsonNode onnx = new ObjectMapper().readTree(loupe("run", "--engine", "onnx", "--model", file.toString(),
                "--prompt", prompt, "--top-k", "5", "--json").out());
        JsonNode djl = new ObjectMapper().readTree(loupe("run", "--engine", "djl", "--prompt", prompt, "--top-k", "5",
                "--json").out());
        assertEquals("onnx", onnx.get("engine").asText());
        for (int k = 0; k < 5; k++) {
            JsonNode a = djl.get("top_k").get(k);
            JsonNode b = onnx.get("top_k").get(k);
            assertEquals(a.get("id").asInt(), b.get("id").asInt(), "rank " + (k + 1));
            assertEquals(a.get("prob").asDouble(), b.get("prob").asDouble(), 1e-5, "rank " + (k + 1));
        }
        Result wrongName = loupe("export-onnx", "--out", tmp.resolve("model.bin").toString());
        assertEquals(1, wrongName.err().strip().lines().count(), wrongName.err());
        assertTrue(wrongName.err().contains(".onnx"), wrongName.err());
    }

    @Test
    void hooksListsEveryHookWithItsShape() {
        Result r = loupe("hooks", "--model", golden("llama-tiny"), "--pos", "7");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("blocks.1.attn.hook_rot_k"), r.out());
        assertTrue(r.out().matches("(?s).*blocks\\.0\\.attn\\.hook_k\\s+\\[1, 7, 2, 16].*"), r.out());
        assertFalse(r.out().contains("hook_pos_embed"), "Llama has no learned positions");
    }

    @Test
    void badInputIsOneLineWithExitCode2() {
        Result missing = loupe("run", "--model", tmp.resolve("absent").toString(), "--tokens", "1");
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().startsWith("loupe: ") && missing.err().contains("absent"), missing.err());

        Result badHook = loupe("run", "--model", golden("gpt2-tiny"), "--tokens", "1", "--cache", "blocks.0.hook_rsid_pre",
                "--out", tmp.resolve("x.safetensors").toString());
        assertEquals(2, badHook.code());
        assertTrue(badHook.err().contains("nearest valid names: blocks.0.hook_resid_pre"), badHook.err());

        Result badToken = loupe("run", "--model", golden("gpt2-tiny"), "--tokens", "1,9999");
        assertEquals(2, badToken.code());
        assertTrue(badToken.err().contains("token id 9999"), badToken.err());
        assertFalse(badToken.err().contains("\tat "), "no stack trace");
    }

    @Test
    void modelsListsEnginesAndFamilies() {
        Result r = loupe("models", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"djl\"") && r.out().contains("gpt_neox"), r.out());
    }
}
