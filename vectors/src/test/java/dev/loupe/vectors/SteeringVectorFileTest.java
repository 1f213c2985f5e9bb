package dev.loupe.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vector pair on disk is trusted only when its JSON and its tensor agree (issue 15). */
class SteeringVectorFileTest {
    private static final ObjectMapper JSON = LoupeJson.mapper();

    @TempDir
    Path tmp;

    private Path write(String name, Tensor v) {
        Path base = tmp.resolve(name);
        SteeringPlacement at = SteeringPlacement.added(1);
        SteeringVectorFile.write(base, v, SteeringVectorFile.Metadata.of("m", at, JSON.valueToTree(at), v, 0.1, 3, "p"));
        return base;
    }

    @Test
    void aRoundTripKeepsTheVectorAndRecordsItsHash() {
        Path base = write("v", Tensor.vector(3, 4));
        assertEquals(Tensor.vector(3, 4), SteeringVectorFile.readVector(base));
        assertEquals(64, SteeringVectorFile.readMetadata(base).vectorSha256().length());
    }

    @Test
    void aPairMixedByHandIsRefused() {
        Path base = write("v", Tensor.vector(3, 4));
        // another vector copied over this one's tensor file
        SafetensorsWriter.write(tmp.resolve("v.safetensors"), Map.of(SteeringVectorFile.TENSOR, Tensor.vector(6, 8)),
                Map.of("format", "pt"));
        LoupeException e = assertThrows(LoupeException.class, () -> SteeringVectorFile.readVector(base));
        assertTrue(e.getMessage().contains("is not the vector v.json describes"), e.getMessage());
    }

    @Test
    void aHookTheConfigDoesNotSteerIsRefusedByName() throws IOException {
        Path base = write("v", Tensor.vector(3, 4));
        editMetadata("v", meta -> meta.put("hook", "blocks.0.hook_mlp_out"));
        LoupeException e = assertThrows(LoupeException.class, () -> SteeringVectorFile.readMetadata(base));
        assertTrue(e.getMessage().contains("field 'hook' is 'blocks.0.hook_mlp_out'"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aNonFiniteVectorIsRefused() {
        Path base = write("v", Tensor.vector(3, 4));
        Path nan = write("nan", Tensor.vector(Float.NaN, Float.NaN));
        assertEquals(Tensor.vector(3, 4), SteeringVectorFile.readVector(base));
        LoupeException e = assertThrows(LoupeException.class, () -> SteeringVectorFile.readVector(nan));
        assertTrue(e.getMessage().contains("expected finite numbers"), e.getMessage());
    }

    @Test
    void aJsonWithoutTheHashStillLoads() throws IOException {
        Path base = write("old", Tensor.vector(3, 4));
        editMetadata("old", meta -> meta.remove("vectorSha256"));
        assertEquals(Tensor.vector(3, 4), SteeringVectorFile.readVector(base));
    }

    @Test
    void aFileFromBeforeTheTopLevelPlacementTakesItsConfigsPositions() throws IOException {
        Path base = write("old", Tensor.vector(3, 4));
        editMetadata("old", meta -> {
            meta.remove("positions");
            ((ObjectNode) meta.get("config")).set("positions", JSON.valueToTree(Positions.range(1, 3)));
        });
        SteeringPlacement at = SteeringVectorFile.readMetadata(base).placement();
        assertEquals(new SteeringPlacement(1, SteeringPlacement.Form.ADD, false, Positions.range(1, 3)), at);
    }

    @Test
    void aPlacementItsConfigContradictsIsRefusedByName() throws IOException {
        Path base = write("v", Tensor.vector(3, 4));
        editMetadata("v", meta -> meta.set("positions", JSON.valueToTree(Positions.range(0, 2))));
        LoupeException e = assertThrows(LoupeException.class, () -> SteeringVectorFile.readMetadata(base));
        assertTrue(e.getMessage().contains("field 'positions' is {\"kind\":\"range\""), e.getMessage());
        assertTrue(e.getMessage().contains("but config.positions is {\"kind\":\"all\"}"), e.getMessage());
        editMetadata("v", meta -> meta.put("config", "ADD"));
        e = assertThrows(LoupeException.class, () -> SteeringVectorFile.readMetadata(base));
        assertTrue(e.getMessage().endsWith("field 'config' is string (expected an object: the settings that made the "
                + "vector, or null)"), e.getMessage());
    }

    /** Another tool's file names where the vector goes and nothing of how it was made: it applies as written. */
    @Test
    void aFileWithoutConfigAppliesWhereItsPlacementSays() throws IOException {
        Path base = write("other", Tensor.vector(3, 4));
        editMetadata("other", meta -> {
            meta.remove("config");
            meta.put("hook", "blocks.3.hook_resid_pre").put("form", "CLAMP").put("promptOnly", true);
            meta.remove("llamaCppLayer");
        });
        SteeringVectorFile.Metadata m = SteeringVectorFile.readMetadata(base);
        assertEquals(null, m.config());
        assertEquals(2, m.llamaCppLayer(), "derived from the hook");
        Intervention iv = m.placement().intervention(Tensor.vector(3, 4), true, 5);
        assertEquals(new Intervention.Clamp(HookPoint.residPre(3), Tensor.vector(3, 4), -1, Positions.range(0, 5)), iv);
    }

    private void editMetadata(String name, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        Path json = tmp.resolve(name + ".json");
        ObjectNode meta = (ObjectNode) JSON.readTree(json.toFile());
        edit.accept(meta);
        JSON.writeValue(json.toFile(), meta);
    }
}
