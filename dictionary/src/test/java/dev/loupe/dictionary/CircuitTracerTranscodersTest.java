package dev.loupe.dictionary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.io.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * circuit-tracer transcoder sets: the fixture (written by make_fixtures.py in the layout its load_relu_transcoder
 * reads, expected numbers from that loader's transposes restated in torch) reads to the same outputs within 1e-5;
 * Loupe's writer lays a set out the same way and it reads back identically.
 */
class CircuitTracerTranscodersTest {
    @TempDir
    Path tmp;

    @Test
    void theFixtureSetComputesWhatCircuitTracerComputes() {
        Path dir = SaeLensKindsTest.fixtures();
        Map<Integer, Transcoder> set = CircuitTracerTranscoders.read(dir.resolve("circuit-tracer/config.yaml"));
        assertEquals(2, set.size());
        assertEquals(HookPoint.parse("blocks.1.ln2.hook_normalized"), set.get(1).hookIn());
        assertEquals(HookPoint.parse("blocks.1.hook_mlp_out"), set.get(1).hookOut());
        try (SafetensorsFile e = SafetensorsFile.open(dir.resolve("circuit-tracer.expected.safetensors"))) {
            for (int layer = 0; layer < 2; layer++) {
                Tensor x = e.tensor("x" + layer);
                for (int i = 0; i < x.size(0); i++) {
                    float[] row = x.select(i).toArray();
                    Transcoder t = set.get(layer);
                    assertTrue(Tensor.vector(t.encode(row)).maxAbsDiff(e.tensor("feature_acts" + layer).select(i))
                            < 1e-5, "layer " + layer + " row " + i);
                    assertTrue(Tensor.vector(t.forward(row)).maxAbsDiff(e.tensor("out" + layer).select(i)) < 1e-5,
                            "layer " + layer + " row " + i);
                }
            }
        }
    }

    @Test
    void aWrittenSetReadsBackIdentically() throws Exception {
        Transcoder a = TranscoderFileTest.randomTranscoder(0, 16, 32);
        Transcoder b = TranscoderFileTest.randomTranscoder(1, 16, 32);
        Path dir = tmp.resolve("ct");
        CircuitTracerTranscoders.write(dir, Map.of(0, a, 1, b), "org/toy");
        assertTrue(Files.isRegularFile(dir.resolve("layer_1.safetensors")));
        String yaml = Files.readString(dir.resolve("config.yaml"));
        assertTrue(yaml.contains("feature_input_hook: \"mlp.hook_in\"") && yaml.contains("filepath: \"layer_0"),
                yaml);
        Map<Integer, Transcoder> back = CircuitTracerTranscoders.read(dir.resolve("config.yaml"));
        float[] x = new float[16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i + 1);
        }
        for (int l = 0; l < 2; l++) {
            Transcoder t = l == 0 ? a : b;
            assertTrue(Tensor.vector(back.get(l).forward(x)).maxAbsDiff(Tensor.vector(t.forward(x))) < 1e-5);
            assertEquals(t.hookOut(), back.get(l).hookOut());
            assertEquals(t.hookIn(), back.get(l).hookIn()); // mlp.hook_in, circuit-tracer's name, is ln2.hook_out
        }
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("layer_0.safetensors"))) {
            assertEquals(java.util.List.of(32, 16), java.util.Arrays.stream(f.tensor("W_enc").shape()).boxed().toList());
            assertEquals(0.0, f.tensor("W_skip").norm(), "no skip path: zeros, which circuit-tracer's loader needs");
        }
        LoupeException gap = assertThrows(LoupeException.class,
                () -> CircuitTracerTranscoders.write(tmp.resolve("gap"), Map.of(1, b), "toy"));
        assertTrue(gap.getMessage().contains("every layer from 0"), gap.getMessage());
    }

    @Test
    void remoteAndUnknownEntriesAreRefusedByName() throws Exception {
        Path cfg = tmp.resolve("c.yaml");
        Files.writeString(cfg, "model_name: m\nfeature_input_hook: ln2.hook_normalized\nfeature_output_hook: "
                + "hook_mlp_out\ntranscoders:\n  - id: a\n    layer: 0\n    filepath: hf://org/repo/layer_0.safetensors\n");
        LoupeException e = assertThrows(LoupeException.class, () -> CircuitTracerTranscoders.read(cfg));
        assertTrue(e.getMessage().contains("transcoders[0].filepath") && e.getMessage().contains("download"),
                e.getMessage());
        Files.writeString(cfg, "model_name: m\nfeature_input_hook: x\nfeature_output_hook: y\nlr: 3\ntranscoders: []\n");
        e = assertThrows(LoupeException.class, () -> CircuitTracerTranscoders.read(cfg));
        assertTrue(e.getMessage().contains("field 'lr'"), e.getMessage());
    }
}
