package dev.loupe.dictionary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.io.AtomicFiles;
import dev.loupe.io.FileSetCommit;
import dev.loupe.io.JsonLimits;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Transcoders in SAELens' on-disk layout: a directory with {@code cfg.json} ({@code architecture: "transcoder"},
 * {@code d_in}, {@code d_sae}, {@code d_out}, {@code dtype}, {@code metadata.hook_name},
 * {@code metadata.hook_name_out}, and Loupe's {@code metadata.input_convention}) and
 * {@code sae_weights.safetensors} (W_enc, b_enc, W_dec, b_dec, b_dec_out). One reader, one writer. The two are
 * replaced together by one commit ({@link FileSetCommit}, journal {@code .loupe-commit}), so a killed write leaves the
 * old pair or the new one; both carry the same {@code loupe_run} id, so a pair mixed by hand is refused.
 */
public final class TranscoderFile {
    /** The config file of a SAELens folder. */
    public static final String CFG = "cfg.json";
    /** The weights file of a SAELens folder. */
    public static final String WEIGHTS = "sae_weights.safetensors";
    static final String SPARSITY = "sparsity.safetensors";
    private static final String RUN = TranscoderCfg.RUN;
    private static final String JOURNAL = ".loupe-commit";
    /** The SAELens version whose layout {@link #write} follows (its {@code Transcoder.save_model}). */
    public static final String SAE_LENS_VERSION = "6.52.0";
    private static final java.util.List<String> LEGACY_TENSORS = java.util.List.of("W_enc", "b_enc", "W_dec", "b_dec",
            "b_dec_out");
    private static final ObjectMapper JSON = LoupeJson.pretty();

    private TranscoderFile() {}

    /**
     * Writes {@code t} as SAELens {@value #SAE_LENS_VERSION}'s {@code save_model} lays it out ({@link SaeLensLayout}
     * picks the architecture): {@code cfg.json} with every key of its config class in {@code to_dict}'s order
     * ({@code d_in}, {@code d_sae}, {@code dtype}, {@code device}, {@code apply_b_dec_to_input},
     * {@code normalize_activations}, {@code reshape_activations}, {@code metadata} with {@code sae_lens_version} so
     * SAELens takes its 6.x path, the hooks, and Loupe's input convention and run id; then {@code k} and
     * {@code rescale_acts_by_decoder_norm} for topk, {@code d_out} for transcoders; {@code architecture}) and
     * {@code sae_weights.safetensors} with exactly the state dict SAELens's class loads strictly.
     */
    public static void write(Path dir, Transcoder t) {
        write(dir, t, null);
    }

    /** As {@link #write(Path, Transcoder)}, naming the model it was trained on ({@code metadata.model_fingerprint}). */
    public static void write(Path dir, Transcoder t, dev.loupe.api.ModelFingerprint model) {
        SaeLensLayout layout = SaeLensLayout.of(t);
        String run = AtomicFiles.newRunId();
        Map<String, AtomicFiles.Content> files = new LinkedHashMap<>();
        files.put(WEIGHTS, SafetensorsWriter.content(layout.tensors(), Map.of(), Map.of("format", "pt", RUN, run)));
        ObjectNode cfg = JSON.createObjectNode().put("d_in", t.dIn()).put("d_sae", t.dSae()).put("dtype", "float32")
                .put("device", "cpu").put("apply_b_dec_to_input", layout.applyBDecToInput())
                .put("normalize_activations", layout.normalization()).put("reshape_activations", "none");
        ObjectNode meta = cfg.putObject("metadata").put("sae_lens_version", SAE_LENS_VERSION)
                .put("sae_lens_training_version", SAE_LENS_VERSION).put("hook_name", t.hookIn().name());
        if (!layout.arch().sae) {
            meta.put("hook_name_out", t.hookOut().name());
        }
        meta.put("input_convention", t.convention()).put(RUN, run);
        if (model != null) {
            meta.putObject(TranscoderCfg.FINGERPRINT).put("shapes", model.shapes()).put("weights", model.weights());
        }
        if (layout.arch() == SaeLensArchitecture.TOPK) {
            cfg.put("k", layout.k()).put("rescale_acts_by_decoder_norm", false);
        }
        if (!layout.arch().sae) {
            cfg.put("d_out", t.dOut());
        }
        cfg.put("architecture", layout.arch().cfgName);
        files.put(CFG, tmp -> JSON.writeValue(tmp.toFile(), cfg));
        FileSetCommit.write(dir.resolve(JOURNAL), files);
    }

    /**
     * Checks that the transcoder(s) in {@code path} may be applied to the model whose fingerprint {@code here}
     * gives (asked only when {@code path} records one): refused on another kind of model unless {@code force},
     * warned about on other weights of the same kind ({@link dev.loupe.api.ModelFingerprint#checkAppliedTo}).
     */
    public static void checkMadeOn(Path path, java.util.function.Supplier<dev.loupe.api.ModelFingerprint> here,
                                   boolean force, dev.loupe.api.spi.Progress progress) {
        dev.loupe.api.ModelFingerprint recorded = madeOn(path);
        if (recorded != null) {
            recorded.checkAppliedTo(here.get(), path, force, progress::warn);
        }
    }

    /** The model the folder's transcoder was trained on, or null when its cfg does not say. */
    public static dev.loupe.api.ModelFingerprint madeOn(Path dir) {
        if (CircuitTracerTranscoders.isConfig(dir)) {
            return null; // circuit-tracer's config names the model only by name
        }
        if (gemmaScope(dir) != null) {
            return null; // a Gemma Scope params.npz names no model
        }
        return cfg(dir).model();
    }

    /**
     * The dictionary in {@code path} ({@link #read}) to apply to {@code model}: first the made-on check
     * ({@link #checkMadeOn}, the model's fingerprint taken only when the file records one), then that its hooks and
     * widths fit the model ({@link Transcoder#requireFits}).
     */
    public static Transcoder readFor(Path path, dev.loupe.api.Model model, boolean force,
                                     dev.loupe.api.spi.Progress progress) {
        checkMadeOn(path, () -> dev.loupe.api.ModelFingerprint.of(model), force, progress);
        return read(path).requireFits(model.spec(), path);
    }

    /**
     * The sparse MLP in {@code path}: a SAELens folder (every {@link SaeLensArchitecture}, 5.x and 6.x cfgs; a
     * {@code sparsity.safetensors} beside it is checked), Loupe's older layout, or a Gemma Scope {@code params.npz}
     * (the file, or a folder holding it and no cfg.json).
     */
    public static Transcoder read(Path path) {
        Path npz = gemmaScope(path);
        if (npz != null) {
            return GemmaScopeNpz.read(npz);
        }
        Transcoder t = weights(path, cfg(path));
        logSparsity(path, t.dSae());
        return t;
    }

    /** The Gemma Scope npz {@code path} is or holds (a folder with params.npz and no cfg.json), else null. */
    private static Path gemmaScope(Path path) {
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".npz")) {
            return path;
        }
        boolean folder = Files.isDirectory(path) && !Files.exists(path.resolve(CFG))
                && Files.isRegularFile(path.resolve(GemmaScopeNpz.FILE));
        return folder ? path.resolve(GemmaScopeNpz.FILE) : null;
    }

    /**
     * Every transcoder {@code path} holds: the layers of a circuit-tracer config ({@code .yaml}, see
     * {@link CircuitTracerTranscoders}), else the one {@link #read} finds.
     */
    public static java.util.List<Transcoder> readAll(Path path) {
        return CircuitTracerTranscoders.isConfig(path)
                ? java.util.List.copyOf(CircuitTracerTranscoders.read(path).values()) : java.util.List.of(read(path));
    }

    /**
     * The per-feature log10 firing frequency SAELens's trainer saves as {@code sparsity.safetensors} (tensor
     * {@code sparsity} [d_sae]), or empty when the folder has none; a file of another shape is refused.
     */
    public static java.util.Optional<Tensor> logSparsity(Path dir, int dSae) {
        Path file = dir.resolve(SPARSITY);
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        try (SafetensorsFile s = SafetensorsFile.open(file)) {
            if (!s.names().equals(java.util.Set.of("sparsity"))) {
                throw new LoupeException(file + ": tensors " + new java.util.TreeSet<>(s.names()) + " (expected only "
                        + "'sparsity', SAELens's log10 feature density)");
            }
            return java.util.Optional.of(tensor(s, "sparsity", dSae));
        }
    }

    private static TranscoderCfg cfg(Path dir) {
        FileSetCommit.recover(dir.resolve(JOURNAL));
        Path cfgFile = dir.resolve(CFG);
        if (!Files.isRegularFile(cfgFile)) {
            throw new LoupeException(dir + ": no cfg.json (expected a SAELens-layout transcoder directory)");
        }
        JsonNode cfg;
        try {
            cfg = JSON.readTree(JsonLimits.check(cfgFile, JsonLimits.CONFIG).toFile());
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new LoupeException(cfgFile + ": not valid JSON (" + String.valueOf(why).lines().findFirst().orElse("")
                    + ")");
        }
        return TranscoderCfg.read(cfgFile, cfg);
    }

    private static Transcoder weights(Path dir, TranscoderCfg c) {
        try (SafetensorsFile w = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
            if (c.run() != null && !c.run().equals(w.metadata().get(RUN))) {
                throw new LoupeException(w.path() + ": written by another run than " + CFG + " (" + RUN + " "
                        + w.metadata().get(RUN) + ", not " + c.run() + "): its files were mixed; train again");
            }
            boolean legacy = c.arch() == SaeLensArchitecture.TRANSCODER && !c.saeLensBias();
            java.util.List<String> expected = legacy ? LEGACY_TENSORS : c.arch().tensors;
            for (String name : new java.util.TreeSet<>(w.names())) {
                if (!expected.contains(name) && !(name.equals("scaling_factor") && allOnes(w, name, c.dSae()))) {
                    throw new LoupeException(w.path() + ": tensor '" + name + "' is not one a '" + c.arch().cfgName
                            + "' with apply_b_dec_to_input " + !c.saeLensBias() + " has (expected " + expected + ")");
                }
            }
            if (legacy && !w.has("b_dec_out")) {
                throw new LoupeException(w.path() + ": tensor 'b_dec_out' missing: apply_b_dec_to_input true (or "
                        + "absent) is Loupe's older layout, b_dec subtracted from the input and b_dec_out the output "
                        + "bias; SAELens transcoders say apply_b_dec_to_input false");
            }
            SaeLensTensors t = new SaeLensTensors(c.arch(), tensor(w, "W_enc", c.dIn(), c.dSae()),
                    c.arch() == SaeLensArchitecture.GATED ? tensor(w, "b_gate", c.dSae()) : tensor(w, "b_enc", c.dSae()),
                    tensor(w, "W_dec", c.dSae(), c.dOut()), tensor(w, "b_dec", legacy || c.sae() ? c.dIn() : c.dOut()),
                    legacy ? tensor(w, "b_dec_out", c.dOut()) : null,
                    c.arch().tensors.contains("threshold") ? tensor(w, "threshold", c.dSae()) : null,
                    c.arch() == SaeLensArchitecture.GATED ? tensor(w, "r_mag", c.dSae()) : null,
                    c.arch() == SaeLensArchitecture.GATED ? tensor(w, "b_mag", c.dSae()) : null,
                    c.arch() == SaeLensArchitecture.SKIP_TRANSCODER ? tensor(w, "W_skip", c.dOut(), c.dIn()) : null);
            return new Transcoder(c.hookIn(), c.hookOut(), c.convention(), t.mlp(c));
        }
    }

    private static boolean allOnes(SafetensorsFile w, String name, int dSae) {
        for (float v : w.tensor(name).toArray()) {
            if (v != 1f) {
                throw new LoupeException(w.path() + ": tensor '" + name + "' is not all ones: a fine-tuning scale, "
                        + "which Loupe does not apply (SAELens's finetuning_scaling_factor)");
            }
        }
        return true;
    }

    private static Tensor tensor(SafetensorsFile f, String name, int... shape) {
        if (!f.has(name)) {
            throw new LoupeException(f.path() + ": tensor '" + name + "' missing (expected shape " + Arrays.toString(shape) + ")");
        }
        Tensor t = f.tensor(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new LoupeException(f.path() + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape) + " from cfg.json");
        }
        return t;
    }
}
