package dev.loupe.method.steering;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.io.AtomicFiles;
import dev.loupe.api.io.SafetensorsFile;
import dev.loupe.api.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A steering vector on disk: {@code NAME.json} (metadata) beside {@code NAME.safetensors} (the vector, tensor
 * {@code steering_vector} [d_model]). Both are written atomically; loading checks that they agree.
 */
public final class SteeringVectorFile {
    static final String TENSOR = "steering_vector";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What the JSON holds.
     *
     * @param modelHint      the model the vector was optimised on
     * @param hook           where it is applied, e.g. {@code blocks.2.hook_resid_pre}
     * @param form           {@code ADD} or {@code CLAMP}
     * @param promptOnly     applied at prompt positions only
     * @param norm           ‖v‖
     * @param loss           the loss it reached
     * @param iterations     optimisation iterations
     * @param trainingPrompt the prompt it was optimised on (text, when known)
     * @param config         the full optimisation settings (provenance)
     */
    public record Metadata(String modelHint, String hook, SteeringConfig.Form form, boolean promptOnly, double norm,
                           double loss, int iterations, String trainingPrompt, SteeringConfig config) {

        /** Metadata whose hook, form, prompt-only flag and norm are derived from the config and the vector. */
        public static Metadata of(String modelHint, SteeringConfig config, Tensor vector, double loss, int iterations,
                                  String trainingPrompt) {
            return new Metadata(modelHint, HookPoint.residPre(config.layer()).name(), config.form(), config.promptOnly(),
                    vector.norm(), loss, iterations, trainingPrompt, config);
        }
    }

    private SteeringVectorFile() {}

    /** Writes {@code base.json} and {@code base.safetensors}; {@code base} has no extension. */
    public static void write(Path base, Tensor vector, Metadata metadata) {
        SafetensorsWriter.write(sibling(base, ".safetensors"), Map.of(TENSOR, vector), Map.of("format", "pt"));
        AtomicFiles.write(sibling(base, ".json"), tmp -> JSON.writeValue(tmp.toFile(), metadata));
    }

    public static Metadata readMetadata(Path base) {
        Path json = sibling(base, ".json");
        if (!Files.isRegularFile(json)) {
            throw new LoupeException(json + ": no steering vector metadata (expected NAME.json beside NAME.safetensors)");
        }
        try {
            return JSON.readValue(json.toFile(), Metadata.class);
        } catch (IOException e) {
            throw new LoupeException(json + ": not valid steering vector metadata (" + e.getMessage().lines().findFirst()
                    .orElse("") + ")");
        }
    }

    public static Tensor readVector(Path base) {
        try (SafetensorsFile f = SafetensorsFile.open(sibling(base, ".safetensors"))) {
            if (!f.has(TENSOR)) {
                throw new LoupeException(f.path() + ": no tensor '" + TENSOR + "'");
            }
            Tensor v = f.tensor(TENSOR);
            if (v.rank() != 1) {
                throw new LoupeException(f.path() + ": '" + TENSOR + "' must be a vector [d_model], got shape "
                        + java.util.Arrays.toString(v.shape()));
            }
            return v;
        }
    }

    /** {@code base} with an extension; a given .json or .safetensors extension is replaced. */
    static Path sibling(Path base, String extension) {
        String name = base.getFileName().toString().replaceFirst("\\.(json|safetensors)$", "");
        return base.resolveSibling(name + extension);
    }
}
