package dev.loupe.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.toymodel.EmbeddedModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufControlVectorTest {
    @TempDir
    Path tmp;

    @Test
    void writesGgufV3WithAlignedDirectionTensor() throws Exception {
        Tensor v = Tensor.vector(1.5f, -2f, 0.25f, 3f, 7f);
        Path f = tmp.resolve("v.gguf");
        GgufControlVector.write(f, v, 3, "gpt2");
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("GGUF", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(3, b.getInt(4));
        assertEquals(1, b.getLong(8));
        assertEquals(3, b.getLong(16));
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertEquals(true, text.contains("controlvector.layer_count") && text.contains("direction.2"),
                "a vector at blocks.3.hook_resid_pre is llama.cpp's direction.2 (added after block 2)");
        assertEquals(0, (bytes.length - 4 * 5) % GgufControlVector.ALIGNMENT, "data starts aligned to 32 bytes");
        assertArrayEquals(v.toArray(), GgufControlVector.read(f).vector().toArray());
        assertEquals(2, GgufControlVector.read(f).index());
        for (int layer : new int[] {0, 1}) {
            LoupeException e = assertThrows(LoupeException.class,
                    () -> GgufControlVector.write(tmp.resolve("x.gguf"), v, layer, "gpt2"));
            assertEquals(true, e.getMessage().contains("blocks.2.hook_resid_pre or later"), e.getMessage());
        }
    }

    @Test
    void llamaCppsRuleAppliesTheExportWhereLoupeOptimisedIt() {
        try (Model m = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            SteeringPlacement c = SteeringPlacement.added(2);
            float[] values = new float[m.spec().dModel()];
            java.util.Random r = new java.util.Random(5);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) r.nextGaussian();
            }
            Tensor v = Tensor.vector(values);
            int[] ids = m.tokenizer().encode("Alice gave Bob the");
            Tensor steered = m.run(RunRequest.of(ids).withInterventions(
                    c.intervention(v, false, Integer.MAX_VALUE))).logits();
            Path f = tmp.resolve("v.gguf");
            GgufControlVector.write(f, v, c.layer(), "toy");
            // llama.cpp: direction.n is added to the output of block n (0-based) at every position
            GgufControlVector.Direction d = GgufControlVector.read(f);
            Tensor llamaCpp = m.run(RunRequest.of(ids).withInterventions(new Intervention.AddVector(
                    HookPoint.of(d.index(), HookSite.RESID_POST), d.vector()))).logits();
            assertTrue(steered.maxAbsDiff(llamaCpp) < 1e-5, "max |Δ| " + steered.maxAbsDiff(llamaCpp));
            Tensor unsteered = m.run(RunRequest.of(ids)).logits();
            assertTrue(steered.maxAbsDiff(unsteered) > 1e-2, "the vector changes the logits");
        }
    }

    /** A file as repeng's export writes one: every layer's direction, extra metadata of several GGUF types. */
    static Path repengStyle(Path file, int d, int... indices) throws Exception {
        ByteBuffer h = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        h.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(indices.length).putLong(5);
        str(h, "general.architecture");
        h.putInt(8);
        str(h, "controlvector");
        str(h, "general.name");
        h.putInt(8);
        str(h, "honesty");
        str(h, "controlvector.model_hint");
        h.putInt(8);
        str(h, "mistral");
        str(h, "controlvector.layer_count");
        h.putInt(4).putInt(indices.length);
        str(h, "general.tags");
        h.putInt(9).putInt(8).putLong(2);
        str(h, "a");
        str(h, "bb");
        for (int k = 0; k < indices.length; k++) {
            str(h, "direction." + indices[k]);
            h.putInt(1).putLong(d).putInt(0).putLong((long) k * ((4L * d + 31) / 32 * 32));
        }
        while (h.position() % 32 != 0) {
            h.put((byte) 0);
        }
        for (int k = 0; k < indices.length; k++) {
            for (int i = 0; i < d; i++) {
                h.putFloat(indices[k] * 100 + i);
            }
            while (h.position() % 32 != 0) {
                h.put((byte) 0);
            }
        }
        Files.write(file, java.util.Arrays.copyOf(h.array(), h.position()));
        return file;
    }

    private static void str(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putLong(bytes.length).put(bytes);
    }

    @Test
    void repengFilesImportEveryLayerAndLoupesOwnRoundTripBitForBit() throws Exception {
        Path f = repengStyle(tmp.resolve("honesty.gguf"), 5, 3, 1, 2);
        GgufControlVector.ControlVector c = GgufControlVector.readAll(f);
        assertEquals("mistral", c.modelHint());
        assertEquals(java.util.List.of(1, 2, 3), c.directions().stream().map(GgufControlVector.Direction::index)
                .toList(), "by index");
        assertArrayEquals(new float[] {300, 301, 302, 303, 304}, c.directions().get(2).vector().toArray());
        assertEquals(4, GgufControlVector.residPreLayer(c.directions().get(2)), "direction.3 = blocks.4.hook_resid_pre");
        Path base = tmp.resolve("imported");
        GgufControlVector.importAs(base, c.directions().get(2), c.modelHint(), f);
        SteeringVectorFile.Loaded loaded = SteeringVectorFile.read(base);
        assertEquals("blocks.4.hook_resid_pre", loaded.metadata().hook());
        assertEquals(3, loaded.metadata().llamaCppLayer(), "the file says both: resid_pre 4 is llama.cpp's layer 3");
        Path exported = tmp.resolve("again.gguf");
        GgufControlVector.write(exported, loaded.vector(), loaded.metadata().layer(),
                loaded.metadata().modelHint());
        GgufControlVector.importAs(tmp.resolve("twice"), GgufControlVector.read(exported), "mistral", exported);
        Path again = tmp.resolve("again2.gguf");
        SteeringVectorFile.Loaded twice = SteeringVectorFile.read(tmp.resolve("twice"));
        GgufControlVector.write(again, twice.vector(), twice.metadata().layer(), twice.metadata().modelHint());
        assertArrayEquals(Files.readAllBytes(exported), Files.readAllBytes(again), "export -> import -> export");
    }

    @Test
    void malformedControlVectorsAreOneLineErrors() throws Exception {
        Path good = repengStyle(tmp.resolve("g.gguf"), 4, 1, 2);
        byte[] bytes = Files.readAllBytes(good);
        String[][] cases = new String[][] {
            {"cut", "direction.2's data at offset 32 is outside the file"},
            {"header", "truncated or malformed GGUF"},
            {"magic", "not a GGUF file"},
            {"zero", "tensor 'direction.0' is not direction.N with N >= 1"},
            {"f16", "has ggml type 1 (expected 0, F32)"},
            {"twice", "direction.1 appears twice"},
        };
        for (String[] c : cases) {
            Path f = tmp.resolve(c[0] + ".gguf");
            switch (c[0]) {
                case "cut" -> Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 20));
                case "header" -> Files.write(f, java.util.Arrays.copyOf(bytes, 60));
                case "magic" -> {
                    byte[] x = bytes.clone();
                    x[0] = 'X';
                    Files.write(f, x);
                }
                case "zero" -> repengStyle(f, 4, 0, 2);
                case "twice" -> repengStyle(f, 4, 1, 1);
                default -> {
                    String text = new String(bytes, StandardCharsets.ISO_8859_1);
                    int at = text.indexOf("direction.1") + "direction.1".length() + 4 + 8;
                    byte[] x = bytes.clone();
                    x[at] = 1;
                    Files.write(f, x);
                }
            }
            LoupeException e = assertThrows(LoupeException.class, () -> GgufControlVector.readAll(f), c[0]);
            assertTrue(e.getMessage().startsWith(f + ": ") && e.getMessage().contains(c[1]), c[0] + ": "
                    + e.getMessage());
        }
    }
}
