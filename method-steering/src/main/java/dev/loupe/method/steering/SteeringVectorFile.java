package dev.loupe.method.steering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.HookPoint;
import dev.loupe.api.ModelFingerprint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.io.AtomicFiles;
import dev.loupe.io.FileDigests;
import dev.loupe.io.FileSetCommit;
import dev.loupe.io.JsonLimits;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.data.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A steering vector on disk: {@code NAME.json} (metadata) beside {@code NAME.safetensors} (the vector, tensor
 * {@code steering_vector} [d_model]), replaced together by one commit. The JSON records the vector file's sha256,
 * so a pair mixed by hand (a vector beside another's JSON) is refused, and so is a JSON whose {@code hook}, {@code form}, {@code promptOnly} or {@code norm} disagree with its config and vector.
 */
public final class SteeringVectorFile {
    static final String TENSOR = "steering_vector";
    /** Strict ({@link StrictJson}): every field present but those {@link #withDefaults} fills, no coercions. */
    private static final ObjectMapper JSON = StrictJson.mapper();
    private static final com.fasterxml.jackson.databind.ObjectWriter PRETTY = JSON.writerWithDefaultPrettyPrinter();

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
     * @param vectorSha256   the sha256 of {@code NAME.safetensors} (absent in files written before it was recorded)
     * @param model          the model it was made on (null: not recorded)
     * @param llamaCppLayer  the same place in llama.cpp / repeng / steering-vectors terms: the block after which it
     *                       is added, {@code L − 1} for {@code blocks.L.hook_resid_pre} (null for L ≤ 1, which
     *                       they cannot express)
     */
    public record Metadata(String modelHint, String hook, SteeringConfig.Form form, boolean promptOnly, double norm,
                           double loss, int iterations, String trainingPrompt, SteeringConfig config,
                           String vectorSha256, ModelFingerprint model, Integer llamaCppLayer) {

        /** Metadata whose hook, form, prompt-only flag and norm are derived from the config and the vector. */
        public static Metadata of(String modelHint, SteeringConfig config, Tensor vector, double loss, int iterations,
                                  String trainingPrompt) {
            return new Metadata(modelHint, HookPoint.residPre(config.layer()).name(), config.form(), config.promptOnly(),
                    vector.norm(), loss, iterations, trainingPrompt, config, null, null, llamaCpp(config.layer()));
        }

        /** llama.cpp's layer for {@code blocks.layer.hook_resid_pre}, or null when it has none. */
        static Integer llamaCpp(int layer) {
            return layer >= 2 ? layer - 1 : null;
        }

        /** This metadata naming the model the vector was made on. */
        public Metadata madeOn(ModelFingerprint fingerprint) {
            return new Metadata(modelHint, hook, form, promptOnly, norm, loss, iterations, trainingPrompt, config,
                    vectorSha256, fingerprint, llamaCppLayer);
        }
    }

    private SteeringVectorFile() {}

    /**
     * Writes {@code base.safetensors} and {@code base.json} (naming the vector file's sha256) as one commit
     * ({@link FileSetCommit}, journal {@code .base.commit}): a reader sees the old pair or the new one, whenever the
     * writer is killed. {@code base} has no extension.
     */
    public static void write(Path base, Tensor vector, Metadata metadata) {
        AtomicFiles.Content vectorFile = SafetensorsWriter.content(Map.of(TENSOR, vector), Map.of(),
                Map.of("format", "pt"));
        String[] digest = new String[1];
        Map<String, AtomicFiles.Content> files = new LinkedHashMap<>();
        files.put(sibling(base, ".safetensors").getFileName().toString(), tmp -> {
            vectorFile.writeTo(tmp);
            digest[0] = FileDigests.sha256(tmp);
        });
        files.put(sibling(base, ".json").getFileName().toString(), tmp -> PRETTY.writeValue(tmp.toFile(),
                new Metadata(metadata.modelHint(), metadata.hook(), metadata.form(), metadata.promptOnly(),
                        metadata.norm(), metadata.loss(), metadata.iterations(), metadata.trainingPrompt(),
                        metadata.config(), digest[0], metadata.model(), metadata.llamaCppLayer())));
        FileSetCommit.write(journal(base), files);
    }

    private static Path journal(Path base) {
        Path commit = sibling(base, ".commit");
        return commit.resolveSibling("." + commit.getFileName());
    }

    /** The metadata, checked against itself: hook, form and prompt-only flag must be what its config says. */
    public static Metadata readMetadata(Path base) {
        FileSetCommit.recover(journal(base));
        Path json = sibling(base, ".json");
        if (!Files.isRegularFile(json)) {
            throw new LoupeException(json + ": no steering vector metadata (expected NAME.json beside NAME.safetensors)");
        }
        Metadata m;
        try {
            JsonNode tree = JSON.readTree(JsonLimits.check(json, JsonLimits.CONFIG).toFile());
            if (!(tree instanceof ObjectNode o)) {
                throw new LoupeException(json + ": not valid steering vector metadata (expected a JSON object)");
            }
            m = JSON.treeToValue(withDefaults(o), Metadata.class);
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new LoupeException(json + ": not valid steering vector metadata (" + String.valueOf(why).lines()
                    .findFirst().orElse("") + ")");
        }
        if (m.config() == null) {
            throw new LoupeException(json + ": field 'config' missing (the optimisation settings)");
        }
        String hook = HookPoint.residPre(m.config().layer()).name();
        if (!hook.equals(m.hook())) {
            throw new LoupeException(json + ": field 'hook' is '" + m.hook() + "' but config.layer " + m.config().layer()
                    + " steers " + hook + " (Loupe applies vectors at hook_resid_pre only)");
        }
        if (!java.util.Objects.equals(m.llamaCppLayer(), Metadata.llamaCpp(m.config().layer()))) {
            throw new LoupeException(json + ": field 'llamaCppLayer' is " + m.llamaCppLayer() + " but " + hook
                    + " is llama.cpp's layer " + Metadata.llamaCpp(m.config().layer()) + " (added after block L - 1)");
        }
        if (m.form() != m.config().form() || m.promptOnly() != m.config().promptOnly()) {
            throw new LoupeException(json + ": fields 'form' / 'promptOnly' disagree with its config");
        }
        return m;
    }

    /**
     * The fields files may lack, with what their absence means: {@code vectorSha256} (files before it was
     * recorded: not checked), {@code model} (files before fingerprints, or imported ones: not checked),
     * {@code llamaCppLayer} (derived from the layer),
     * {@code config.positions} (every position) and {@code config.perCompletionTarget}
     * (false), both from before token slices. Every other field is required.
     */
    private static ObjectNode withDefaults(ObjectNode o) {
        if (!o.has("vectorSha256")) {
            o.putNull("vectorSha256");
        }
        if (!o.has("model")) {
            o.putNull("model");
        }
        if (!o.has("llamaCppLayer") && o.path("config").path("layer").isInt()) {
            Integer l = Metadata.llamaCpp(o.get("config").get("layer").asInt());
            if (l == null) {
                o.putNull("llamaCppLayer");
            } else {
                o.put("llamaCppLayer", l);
            }
        }
        if (o.get("config") instanceof ObjectNode c) {
            if (!c.has("positions")) {
                c.putObject("positions").put("kind", "all");
            }
            if (!c.has("perCompletionTarget")) {
                c.put("perCompletionTarget", false);
            }
        }
        return o;
    }

    /** A vector read with its metadata, the two checked against each other. */
    public record Loaded(Metadata metadata, Tensor vector) {}

    /**
     * {@link #read}, then the made-on check for applying it to {@code model}: a vector of another kind of model is
     * refused, or with {@code force} applied with a warning through {@code progress}.
     */
    public static Loaded readFor(Path base, dev.loupe.api.Model model, boolean force,
                                 dev.loupe.api.spi.Progress progress) {
        Loaded loaded = read(base);
        if (loaded.metadata().model() != null) {
            loaded.metadata().model().checkAppliedTo(ModelFingerprint.of(model), base, force, progress::warn);
        }
        return loaded;
    }

    /** The vector alone: see {@link #read}. */
    public static Tensor readVector(Path base) {
        return read(base).vector();
    }

    /**
     * The metadata (see {@link #readMetadata}) and the vector: finite, rank 1, of the norm and (when recorded) the
     * file hash its metadata names.
     */
    public static Loaded read(Path base) {
        Metadata m = readMetadata(base);
        Path tensors = sibling(base, ".safetensors");
        if (m.vectorSha256() != null && Files.isRegularFile(tensors) && !m.vectorSha256().equals(sha256(tensors))) {
            throw new LoupeException(tensors + ": is not the vector " + sibling(base, ".json").getFileName()
                    + " describes (its sha256 differs): the files were mixed; optimise again");
        }
        try (SafetensorsFile f = SafetensorsFile.open(tensors)) {
            if (!f.has(TENSOR)) {
                throw new LoupeException(f.path() + ": no tensor '" + TENSOR + "'");
            }
            Tensor v = f.tensor(TENSOR);
            if (v.rank() != 1) {
                throw new LoupeException(f.path() + ": '" + TENSOR + "' must be a vector [d_model], got shape "
                        + java.util.Arrays.toString(v.shape()));
            }
            for (float x : v.toArray()) {
                if (!Float.isFinite(x)) {
                    throw new LoupeException(f.path() + ": '" + TENSOR + "' holds " + x + " (expected finite numbers)");
                }
            }
            if (Math.abs(v.norm() - m.norm()) > 1e-3 * Math.max(1, m.norm())) {
                throw new LoupeException(f.path() + ": '" + TENSOR + "' has norm " + v.norm() + " but its metadata says "
                        + m.norm());
            }
            return new Loaded(m, v);
        }
    }

    private static String sha256(Path file) {
        try {
            return FileDigests.sha256(file);
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** {@code base} with an extension; a given .json or .safetensors extension is replaced. */
    public static Path sibling(Path base, String extension) {
        String name = base.getFileName().toString().replaceFirst("\\.(json|safetensors)$", "");
        return base.resolveSibling(name + extension);
    }
}
