package dev.loupe.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.Plugins;
import dev.loupe.data.StrictJson;
import dev.loupe.io.JsonLimits;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --interventions FILE.json}: one intervention or a list, in the api's JSON form ({@code "kind": "add"},
 * {@code "clamp_feature"}, … with tensors as {@code {"data": [...], "shape": [...]}}), and the kinds plugins add
 * ({@link dev.loupe.api.spi.InterventionKind}); errors name the file and entry.
 */
final class InterventionFile {
    private InterventionFile() {}

    static List<Intervention> read(Path file, Plugins plugins) {
        if (file == null) {
            return List.of();
        }
        ObjectMapper json = LoupeJson.withKinds(StrictJson.mapper(), plugins.interventionKinds().values());
        JsonNode root;
        try {
            root = json.readTree(JsonLimits.check(file, JsonLimits.CONFIG).toFile());
        } catch (IOException e) {
            throw new LoupeException(file + ": not readable as JSON (" + firstLine(e) + ")");
        }
        List<Intervention> out = new ArrayList<>();
        List<JsonNode> entries = new ArrayList<>();
        if (root != null && root.isArray()) {
            root.forEach(entries::add);
        } else {
            entries.add(root);
        }
        for (int i = 0; i < entries.size(); i++) {
            try {
                out.add(json.treeToValue(entries.get(i), Intervention.class));
            } catch (IOException | IllegalArgumentException e) {
                throw new LoupeException(file + ": intervention " + i + " is not valid (" + firstLine(e) + ")");
            }
        }
        return out;
    }

    private static String firstLine(Exception e) {
        Throwable t = e.getCause() instanceof LoupeException l ? l : e;
        return String.valueOf(t.getMessage()).lines().findFirst().orElse("");
    }
}
