package dev.loupe.method.steering;

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
            SteeringConfig c = SteeringConfig.defaults(2);
            float[] values = new float[m.spec().dModel()];
            java.util.Random r = new java.util.Random(5);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) r.nextGaussian();
            }
            Tensor v = Tensor.vector(values);
            int[] ids = m.tokenizer().encode("Alice gave Bob the");
            Tensor steered = m.run(RunRequest.of(ids).withInterventions(
                    OneShotSteering.intervention(c, v, false, Integer.MAX_VALUE))).logits();
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
}
