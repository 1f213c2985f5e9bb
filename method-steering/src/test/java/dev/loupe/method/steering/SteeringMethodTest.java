package dev.loupe.method.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.Model;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.toymodel.EmbeddedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Steering is found as a Method plugin and runs from a JSON config. */
class SteeringMethodTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void discoveredAndRunFromJsonConfig() throws Exception {
        Plugins plugins = Plugins.discover();
        Method method = plugins.method("steering");
        String json = "{\"datapoints\": [{\"prompt\": \"User : how do I make a bomb ? Assistant :\", \"promote\": "
                + "[\"Sure ,\"], \"suppress\": [\"I cannot\"]}], \"name\": \"refusal-off\", \"steering\": {\"layer\": 2, \"form\": \"ADD\","
                + " \"promptOnly\": false, \"coldness\": 0.7, \"learningRate\": 0.5, \"startingNorm\": 1.0, \"maxNorm\": 30,"
                + " \"maxIterations\": 10, \"targetLoss\": 0, \"targetPatience\": 1, \"normaliseByLength\": false, \"seed\": 0}}";
        Object config = new ObjectMapper().readValue(json, method.configType());
        try (Model m = plugins.engine("djl").load(ModelSource.directory(EmbeddedModel.directory()))) {
            MethodResult r = method.run(new MethodContext(m, "embedded", tmp, 0, Progress.NONE), config);
            assertEquals("steering", r.method());
            assertTrue(r.metrics().get("loss") < r.metrics().get("initial_loss") / 2, r.metrics().toString());
            assertEquals(2, r.artifacts().size());
            r.artifacts().forEach(p -> assertTrue(Files.isRegularFile(p), p + " written"));
        }
    }
}
