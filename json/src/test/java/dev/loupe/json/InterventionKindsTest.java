package dev.loupe.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.InterventionKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A plugin's intervention kind reads and writes by its name once registered; built-in names stay built-in. */
public class InterventionKindsTest {
    public record Negate(HookPoint hook, Positions positions) implements Intervention.Extension {
        @Override
        public String kind() {
            return "test_negate";
        }

        @Override
        public Tensor apply(Tensor value) {
            return value.scale(-1);
        }

        @Override
        public Intervention withPositions(Positions p) {
            return new Negate(hook, p);
        }
    }

    private static InterventionKind kind(String name) {
        return new InterventionKind() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Class<? extends Intervention.Extension> type() {
                return Negate.class;
            }
        };
    }

    @Test
    void aRegisteredKindRoundTripsByName() throws Exception {
        String text = "{\"kind\": \"test_negate\", \"hook\": \"blocks.1.hook_resid_pre\", \"positions\": "
                + "{\"kind\": \"range\", \"from\": 0, \"to\": 2}}";
        ObjectMapper json = LoupeJson.withKinds(LoupeJson.mapper(), List.of(kind("test_negate")));
        Intervention iv = json.readValue(text, Intervention.class);
        assertEquals(new Negate(HookPoint.residPre(1), Positions.range(0, 2)), iv);
        String written = json.writeValueAsString(iv);
        assertTrue(written.startsWith("{\"kind\":\"test_negate\""), written);
        assertEquals(iv, json.readValue(written, Intervention.class));
        assertEquals(new Negate(HookPoint.residPre(1), Positions.of(-1)), iv.withPositions(Positions.of(-1)));
        assertThrows(InvalidTypeIdException.class, () -> LoupeJson.mapper().readValue(text, Intervention.class),
                "unregistered, the kind is unknown");
    }

    @Test
    void aPluginKindCannotTakeABuiltInName() {
        LoupeException e = assertThrows(LoupeException.class,
                () -> LoupeJson.withKinds(LoupeJson.mapper(), List.of(kind("add"))));
        assertTrue(e.getMessage().contains("is named 'add', a built-in kind's name"), e.getMessage());
    }
}
