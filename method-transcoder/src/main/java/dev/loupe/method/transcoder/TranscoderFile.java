package dev.loupe.method.transcoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.io.AtomicFiles;
import dev.loupe.api.io.FileSetCommit;
import dev.loupe.api.io.JsonLimits;
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
 * {@code sae_weights.safetensors} (W_enc, b_enc, W_dec, b_dec, b_dec_out). One reader, one writer. The two are
 * replaced together by one commit ({@link FileSetCommit}, journal {@code .loupe-commit}), so a killed write leaves the
 * old pair or the new one; both carry the same {@code loupe_run} id, so a pair mixed by hand is refused.
 */
public final class TranscoderFile {
    static final String CFG = "cfg.json";
    static final String WEIGHTS = "sae_weights.safetensors";
    private static final String RUN = TranscoderCfg.RUN;
    private static final String JOURNAL = ".loupe-commit";
    private static final java.util.List<String> TENSORS = java.util.List.of("W_enc", "b_enc", "W_dec", "b_dec",
            "b_dec_out");
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
        Map<String, AtomicFiles.Content> files = new LinkedHashMap<>();
        files.put(WEIGHTS, SafetensorsWriter.content(tensors, Map.of(), Map.of("format", "pt", RUN, run)));
        ObjectNode cfg = JSON.createObjectNode().put("architecture", "transcoder").put("d_in", t.dIn())
                .put("d_sae", t.dSae()).put("d_out", t.dOut()).put("dtype", "float32");
        cfg.putObject("metadata").put("hook_name", t.hookIn().name()).put("hook_name_out", t.hookOut().name())
                .put("input_convention", t.convention()).put(RUN, run);
        files.put(CFG, tmp -> JSON.writeValue(tmp.toFile(), cfg));
        FileSetCommit.write(dir.resolve(JOURNAL), files);
    }

    public static Transcoder read(Path dir) {
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
        TranscoderCfg c = TranscoderCfg.read(cfgFile, cfg);
        try (SafetensorsFile w = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
            if (c.run() != null && !c.run().equals(w.metadata().get(RUN))) {
                throw new LoupeException(w.path() + ": written by another run than " + CFG + " (" + RUN + " "
                        + w.metadata().get(RUN) + ", not " + c.run() + "): its files were mixed; train again");
            }
            for (String name : new java.util.TreeSet<>(w.names())) {
                if (!TENSORS.contains(name)) {
                    throw new LoupeException(w.path() + ": tensor '" + name + "' is not one Loupe's ReLU transcoder "
                            + "reads (expected " + TENSORS + ")");
                }
            }
            return new Transcoder(c.hookIn(), c.hookOut(), c.convention(),
                    tensor(w, "W_enc", c.dIn(), c.dSae()), tensor(w, "b_enc", c.dSae()),
                    tensor(w, "W_dec", c.dSae(), c.dOut()), tensor(w, "b_dec", c.dIn()),
                    tensor(w, "b_dec_out", c.dOut()));
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
