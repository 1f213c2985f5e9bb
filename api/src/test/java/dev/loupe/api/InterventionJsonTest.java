package dev.loupe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Interventions are data: they survive a JSON round trip, so one file runs on every engine. */
class InterventionJsonTest {
    @Test
    void everyDataKindRoundTrips() throws Exception {
        ObjectMapper json = new ObjectMapper();
        HookPoint h = HookPoint.residPre(1);
        Tensor v = Tensor.vector(1, -2, 3);
        List<Intervention> all = List.of(
                new Intervention.AddVector(h, v, 0.5, Positions.of(0, -1)),
                new Intervention.DirectionalAblation(h, v, Positions.all()),
                new Intervention.Clamp(h, v, 1.0, Positions.range(0, 3)),
                new Intervention.Replace(h, Tensor.zeros(2, 3), Positions.all()),
                new Intervention.Scale(h, 2.0, Positions.all()),
                new Intervention.Zero(h, Positions.of(2)),
                new Intervention.MeanAblate(h, v, Positions.all()),
                new Intervention.Splice(HookPoint.parse("blocks.0.hook_mlp_out"),
                        HookPoint.parse("blocks.0.ln2.hook_normalized"),
                        new SpliceFunction.SparseMlp(Tensor.zeros(3, 5), Tensor.zeros(5), Tensor.zeros(5, 3),
                                Tensor.zeros(3), Tensor.zeros(3)), Positions.all()),
                new Intervention.Splice(HookPoint.parse("blocks.0.hook_mlp_out"),
                        HookPoint.parse("blocks.0.ln2.hook_normalized"),
                        new SpliceFunction.SparseMlp(Tensor.zeros(3, 5), Tensor.zeros(5), Tensor.zeros(5, 3),
                                Tensor.zeros(3), Tensor.zeros(3), new SparseActivation.Gated(Tensor.zeros(5),
                                Tensor.vector(1, 2, 3, 4, 5)), Tensor.zeros(3, 3),
                                InputNormalization.CONSTANT_NORM_RESCALE), Positions.all()),
                new Intervention.Splice(HookPoint.parse("blocks.0.hook_resid_pre"),
                        HookPoint.parse("blocks.0.hook_resid_pre"),
                        new SpliceFunction.SparseMlp(Tensor.zeros(3, 5), Tensor.zeros(5), Tensor.zeros(5, 3),
                                Tensor.zeros(3), Tensor.zeros(3), new SparseActivation.JumpRelu(Tensor.zeros(5)), null,
                                InputNormalization.LAYER_NORM), Positions.all()),
                new Intervention.Splice(HookPoint.parse("blocks.0.hook_resid_pre"),
                        HookPoint.parse("blocks.0.hook_resid_pre"),
                        new SpliceFunction.SparseMlp(Tensor.zeros(3, 5), Tensor.zeros(5), Tensor.zeros(5, 3),
                                Tensor.zeros(3), Tensor.zeros(3), new SparseActivation.TopK(2), null, null),
                        Positions.all()),
                new Intervention.ClampFeature(HookPoint.parse("blocks.0.hook_resid_pre"),
                        new SpliceFunction.SparseMlp(Tensor.zeros(3, 5), Tensor.zeros(5), Tensor.zeros(5, 3),
                                Tensor.zeros(3), Tensor.zeros(3)), 4, 12.5, Positions.of(-1)));
        for (Intervention iv : all) {
            String text = json.writeValueAsString(iv);
            assertTrue(text.contains("\"kind\""), text);
            assertEquals(iv, json.readValue(text, Intervention.class), text);
        }
        assertTrue(json.writeValueAsString(all.get(0)).contains("\"hook\":\"blocks.1.hook_resid_pre\""));
        String clamp = json.writeValueAsString(all.get(all.size() - 1));
        assertTrue(clamp.contains("\"kind\":\"clamp_feature\"") && clamp.contains("\"source\":\"blocks.0.hook_resid_pre\"")
                && !clamp.contains("readsFrom"), clamp);
    }
}
