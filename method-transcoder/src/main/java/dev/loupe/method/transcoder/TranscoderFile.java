package dev.loupe.method.transcoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.io.AtomicFiles;
import dev.loupe.api.io.SafetensorsFile;
import dev.loupe.api.io.SafetensorsWriter;
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
 * {@code sae_weights.safetensors} (W_enc, b_enc, W_dec, b_dec, b_dec_out). One reader, one writer. The weights are
 * written first and {@code cfg.json} last; both carry the same {@code loupe_run} id, so a pair torn by a crash is
 * refused rather than read.
 */
public final class TranscoderFile {
    static final String CFG = "cfg.json";
    static final String WEIGHTS = "sae_weights.safetensors";
    private static final String RUN = "loupe_run";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TranscoderFile() {}

    public static void write(Path dir, Transcoder t) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("W_enc", t.wEnc());
        tensors.put("b_enc", t.bEnc());
        tensors.put("W_dec", t.wDec());
        tensors.put("b_dec", t.bDec());
        tensors.put("b_dec_out", t.bDecOut());
        String run = AtomicFiles.newRunId();
        SafetensorsWriter.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt", RUN, run));
        ObjectNode cfg = JSON.createObjectNode().put("architecture", "transcoder").put("d_in", t.dIn())
                .put("d_sae", t.dSae()).put("d_out", t.dOut()).put("dtype", "float32");
        cfg.putObject("metadata").put("hook_name", t.hookIn().name()).put("hook_name_out", t.hookOut().name())
                .put("input_convention", t.convention()).put(RUN, run);
        AtomicFiles.write(dir.resolve(CFG), tmp -> JSON.writeValue(tmp.toFile(), cfg));
    }

    public static Transcoder read(Path dir) {
        Path cfgFile = dir.resolve(CFG);
        if (!Files.isRegularFile(cfgFile)) {
            throw new LoupeException(dir + ": no cfg.json (expected a SAELens-layout transcoder directory)");
        }
        JsonNode cfg;
        try {
            cfg = JSON.readTree(cfgFile.toFile());
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new LoupeException(cfgFile + ": not valid JSON (" + String.valueOf(why).lines().findFirst().orElse("")
                    + ")");
        }
        String arch = cfg.path("architecture").asText("");
        if (!arch.equals("transcoder")) {
            throw new LoupeException(cfgFile + ": field 'architecture' is '" + arch + "' (expected \"transcoder\")");
        }
        int din = integer(cfgFile, cfg, "d_in");
        int dsae = integer(cfgFile, cfg, "d_sae");
        int dout = cfg.has("d_out") ? integer(cfgFile, cfg, "d_out") : din;
        String convention = cfg.path("metadata").path("input_convention").asText("unknown");
        HookPoint named = hook(cfgFile, cfg, "hook_name");
        HookPoint in = ActivationHarvest.inputHook(named, convention);
        if (!in.equals(named)) {
            convention = ActivationHarvest.CONVENTION;
        }
        HookPoint out = hook(cfgFile, cfg, "hook_name_out");
        try (SafetensorsFile w = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
            String run = cfg.path("metadata").path(RUN).asText(null);
            if (run != null && !run.equals(w.metadata().get(RUN))) {
                throw new LoupeException(w.path() + ": written by another run than " + CFG + " (" + RUN + " "
                        + w.metadata().get(RUN) + ", not " + run + "): a write was interrupted; train again");
            }
            return new Transcoder(in, out, convention,
                    tensor(w, "W_enc", din, dsae), tensor(w, "b_enc", dsae), tensor(w, "W_dec", dsae, dout),
                    tensor(w, "b_dec", din), tensor(w, "b_dec_out", dout));
        }
    }

    private static int integer(Path file, JsonNode cfg, String field) {
        JsonNode n = cfg.get(field);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
            throw new LoupeException(file + ": field '" + field + "' " + (n == null ? "missing" : "is " + n)
                    + " (expected a positive integer below 2^31)");
        }
        return n.intValue();
    }

    private static HookPoint hook(Path file, JsonNode cfg, String field) {
        JsonNode n = cfg.path("metadata").get(field);
        if (n == null) {
            n = cfg.get(field);
        }
        if (n == null || !n.isTextual()) {
            throw new LoupeException(file + ": field 'metadata." + field + "' missing (expected a hook name such as "
                    + "blocks.3.ln2.hook_out)");
        }
        try {
            return HookPoint.parse(n.asText());
        } catch (LoupeException e) {
            throw new LoupeException(file + ": field 'metadata." + field + "': " + e.getMessage());
        }
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
