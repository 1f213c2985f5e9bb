package dev.loupe.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.loupe.api.HookPoint;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.intervention.InputNormalization;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.api.objective.Objective;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The api's values in JSON, bound outside the api: interventions are data (a JSON round trip, so one file runs on every
 * engine), tensors and normalisations have one strict spelling.
 */
class ApiJsonTest {
    private static final ObjectMapper JSON = LoupeJson.mapper();

    @Test
    void everyDataKindRoundTrips() throws Exception {
        ObjectMapper json = JSON;
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

    @Test
    void aTensorIsDataAndShapeAndNothingElse() throws Exception {
        assertEquals("{\"data\":[1.0,-2.0,3.0,4.0],\"shape\":[2,2]}",
                JSON.writeValueAsString(Tensor.of(new float[] {1, -2, 3, 4}, 2, 2)));
        Tensor t = JSON.readValue("{\"shape\": [3], \"data\": [0.5, 1, -1]}", Tensor.class);
        assertEquals(Tensor.vector(0.5f, 1, -1), t);
        assertEquals("unknown tensor field 'dtype' (a tensor has data and shape)", mismatch(
                "{\"data\": [1], \"shape\": [1], \"dtype\": \"F32\"}", Tensor.class));
        assertEquals("a tensor needs 'shape' (it has data and shape)", mismatch("{\"data\": [1]}", Tensor.class));
        assertTrue(mismatch("{\"data\": [1, 2, 3], \"shape\": [2]}", Tensor.class)
                .startsWith("tensor of shape [2] with 3 values: "));
        assertTrue(mismatch("[1, 2]", Tensor.class).startsWith("a tensor is an object"));
    }

    @Test
    void normalisationsAndHookPointsUseThePeersNames() throws Exception {
        assertEquals("\"constant_norm_rescale\"", JSON.writeValueAsString(InputNormalization.CONSTANT_NORM_RESCALE));
        assertEquals(InputNormalization.LAYER_NORM, JSON.readValue("\"layer_norm\"", InputNormalization.class));
        assertEquals("normalization 'LAYER_NORM': expected one of [none, constant_norm_rescale, layer_norm]",
                mismatch("\"LAYER_NORM\"", InputNormalization.class));
        assertEquals("\"blocks.3.ln2.hook_normalized\"",
                JSON.writeValueAsString(HookPoint.parse("blocks.3.ln2.hook_normalized")));
        assertEquals(java.util.Map.of(HookPoint.residPre(2), 1), JSON.readValue("{\"blocks.2.hook_resid_pre\": 1}",
                new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<HookPoint, Integer>>() {}));
        assertEquals("{\"kind\":\"range\",\"from\":0,\"to\":3}", JSON.writeValueAsString(Positions.range(0, 3)));
    }

    @Test
    void objectivesRoundTripByKind() throws Exception {
        Objective o = new Objective.WeightedSum(List.of(new Objective.Term(1, new Objective.LogitDifference(0, -1, 5, 7)),
                new Objective.Term(-0.5, new Objective.HookDot(HookPoint.residPre(1), 0, 2, Tensor.vector(1, 2)))));
        String text = JSON.writeValueAsString(o);
        assertTrue(text.contains("\"kind\":\"weighted_sum\"") && text.contains("\"kind\":\"hook_dot\""), text);
        assertEquals(o, JSON.readValue(text, Objective.class));
    }

    private static String mismatch(String json, Class<?> type) {
        return assertThrows(MismatchedInputException.class, () -> JSON.readValue(json, type)).getOriginalMessage();
    }
}
