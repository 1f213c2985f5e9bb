package dev.loupe.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelFingerprint;
import dev.loupe.api.Positions;
import dev.loupe.api.Tensor;
import dev.loupe.data.StrictJson;
import dev.loupe.io.AtomicFiles;
import dev.loupe.io.FileDigests;
import dev.loupe.io.FileSetCommit;
import dev.loupe.io.JsonLimits;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A steering vector on disk: {@code NAME.json} (metadata) beside {@code NAME.safetensors} (the vector, tensor
 * {@code steering_vector} [d_model]), replaced together by one commit. The JSON says where the vector is applied
 * ({@code hook}, {@code form}, {@code promptOnly}, {@code positions}: a {@link SteeringPlacement}) and keeps the
 * settings that made it ({@code config}) as provenance; it records the vector file's sha256, so a pair mixed by hand
 * (a vector beside another's JSON) is refused, and so is a JSON whose placement disagrees with its config or whose
 * {@code norm} disagrees with its vector. Any tool reads and applies these files without the method that wrote them.
 */
public final class SteeringVectorFile {
    static final String TENSOR = "steering_vector";
    /** Strict ({@link StrictJson}): every field present but those {@link #withDefaults} fills, no coercions. */
    private static final ObjectMapper JSON = StrictJson.mapper();
    private static final com.fasterxml.jackson.databind.ObjectWriter PRETTY = JSON.writerWithDefaultPrettyPrinter();
    /** The placement fields a config may repeat; where it does, they must agree. */
    private static final List<String> PLACEMENT_FIELDS = List.of("form", "promptOnly", "positions");
    private static final Pattern RESID_PRE = Pattern.compile("blocks\\.(\\d{1,9})\\.hook_resid_pre");

    /**
     * What the JSON holds.
     *
     * @param modelHint      the model the vector was made on, as its maker named it
     * @param hook           where it is applied: {@code blocks.L.hook_resid_pre}
     * @param form           {@code ADD} or {@code CLAMP}
     * @param promptOnly     applied at prompt positions only
     * @param positions      the token slice steered when not prompt-only
     * @param norm           ‖v‖
     * @param loss           the loss it reached (0 when not optimised)
     * @param iterations     optimisation iterations (0 when not optimised)
     * @param trainingPrompt the prompt it was made from, or its source (text, when known)
     * @param config         the settings that made it, as its maker wrote them (provenance; null: not recorded)
     * @param vectorSha256   the sha256 of {@code NAME.safetensors} (absent in files written before it was recorded)
     * @param model          the model it was made on (null: not recorded)
     * @param llamaCppLayer  the same place in llama.cpp / repeng / steering-vectors terms: the block after which it
     *                       is added, {@code L − 1} for {@code blocks.L.hook_resid_pre} (null for L ≤ 1, which
     *                       they cannot express)
     */
    public record Metadata(String modelHint, String hook, SteeringPlacement.Form form, boolean promptOnly,
                           Positions positions, double norm, double loss, int iterations, String trainingPrompt,
                           JsonNode config, String vectorSha256, ModelFingerprint model, Integer llamaCppLayer) {

        public Metadata {
            config = config == null || config.isNull() ? null : config;
        }

        /** Metadata whose hook, placement and norm are those given, with {@code config} kept as provenance. */
        public static Metadata of(String modelHint, SteeringPlacement placement, JsonNode config, Tensor vector,
                                  double loss, int iterations, String trainingPrompt) {
            return new Metadata(modelHint, placement.hook().name(), placement.form(), placement.promptOnly(),
                    placement.positions(), vector.norm(), loss, iterations, trainingPrompt, config, null, null,
                    llamaCpp(placement.layer()));
        }

        /** llama.cpp's layer for {@code blocks.layer.hook_resid_pre}, or null when it has none. */
        static Integer llamaCpp(int layer) {
            return layer >= 2 ? layer - 1 : null;
        }

        /** Where and how the vector is applied. */
        public SteeringPlacement placement() {
            return new SteeringPlacement(layer(), form, promptOnly, positions);
        }

        /** The block whose {@code hook_resid_pre} is steered. */
        public int layer() {
            return SteeringPlacement.residPreLayer(hook, "field 'hook'");
        }

        /** This metadata naming the model the vector was made on. */
        public Metadata madeOn(ModelFingerprint fingerprint) {
            return new Metadata(modelHint, hook, form, promptOnly, positions, norm, loss, iterations, trainingPrompt,
                    config, vectorSha256, fingerprint, llamaCppLayer);
        }

        Metadata withSha256(String sha256) {
            return new Metadata(modelHint, hook, form, promptOnly, positions, norm, loss, iterations, trainingPrompt,
                    config, sha256, model, llamaCppLayer);
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
        files.put(sibling(base, ".json").getFileName().toString(),
                tmp -> PRETTY.writeValue(tmp.toFile(), metadata.withSha256(digest[0])));
        FileSetCommit.write(journal(base), files);
    }

    private static Path journal(Path base) {
        Path commit = sibling(base, ".commit");
        return commit.resolveSibling("." + commit.getFileName());
    }

    /** The metadata, checked against itself: its placement must be the one its config (when recorded) says. */
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
            withDefaults(o);
            checkAgainstConfig(json, o);
            m = JSON.treeToValue(o, Metadata.class);
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new LoupeException(json + ": not valid steering vector metadata (" + String.valueOf(why).lines()
                    .findFirst().orElse("") + ")");
        }
        int layer;
        try {
            layer = m.layer();
        } catch (LoupeException e) {
            throw new LoupeException(json + ": " + e.getMessage());
        }
        if (!Objects.equals(m.llamaCppLayer(), Metadata.llamaCpp(layer))) {
            throw new LoupeException(json + ": field 'llamaCppLayer' is " + m.llamaCppLayer() + " but " + m.hook()
                    + " is llama.cpp's layer " + Metadata.llamaCpp(layer) + " (added after block L - 1)");
        }
        return m;
    }

    /** A config that repeats the layer or a placement field must agree with the file's own. */
    private static void checkAgainstConfig(Path json, ObjectNode o) {
        JsonNode config = o.get("config");
        if (config.isNull()) {
            return;
        }
        if (!(config instanceof ObjectNode c)) {
            throw new LoupeException(json + ": field 'config' is " + config.getNodeType().toString().toLowerCase()
                    + " (expected an object: the settings that made the vector, or null)");
        }
        JsonNode layer = c.get("layer");
        if (layer != null && o.path("hook").isTextual()) {
            String hook = "blocks." + layer.asText() + ".hook_resid_pre";
            if (!layer.isInt() || !hook.equals(o.get("hook").asText())) {
                throw new LoupeException(json + ": field 'hook' is '" + o.get("hook").asText() + "' but config.layer "
                        + layer + " steers " + hook + " (Loupe applies vectors at hook_resid_pre only)");
            }
        }
        for (String f : PLACEMENT_FIELDS) {
            if (c.has(f) && !c.get(f).equals(o.get(f))) {
                throw new LoupeException(json + ": field '" + f + "' is " + o.get(f) + " but config." + f + " is "
                        + c.get(f) + " (the placement must be the one the vector was made for)");
            }
        }
    }

    /**
     * The fields files may lack, with what their absence means: {@code vectorSha256} (files before it was
     * recorded: not checked), {@code model} (files before fingerprints, or imported ones: not checked),
     * {@code llamaCppLayer} (derived from the layer), {@code config} (not recorded), {@code positions} (files
     * from before the placement was recorded at the top level: the config's, else every position; files from before
     * token slices have neither). Every other field is required.
     */
    private static void withDefaults(ObjectNode o) {
        if (!o.has("vectorSha256")) {
            o.putNull("vectorSha256");
        }
        if (!o.has("model")) {
            o.putNull("model");
        }
        if (!o.has("llamaCppLayer") && o.path("hook").isTextual()) {
            Matcher l = RESID_PRE.matcher(o.get("hook").asText());
            Integer layer = l.matches() ? Metadata.llamaCpp(Integer.parseInt(l.group(1))) : null;
            if (layer == null) {
                o.putNull("llamaCppLayer");
            } else {
                o.put("llamaCppLayer", layer);
            }
        }
        if (!o.has("config")) {
            o.putNull("config");
        }
        if (!o.has("positions")) {
            o.set("positions", o.path("config").has("positions") ? o.get("config").get("positions").deepCopy()
                    : JSON.createObjectNode().put("kind", "all"));
        }
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
