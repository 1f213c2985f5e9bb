package dev.loupe.dictionary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;
import dev.loupe.io.AtomicFiles;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * circuit-tracer's transcoder sets: a YAML config ({@code model_name}, {@code feature_input_hook},
 * {@code feature_output_hook} as hook names inside a block, {@code transcoders: [{id, layer, filepath}]}) and one
 * file per layer, read as its {@code load_transcoder_set} reads them: a safetensors file in its ReLU layout
 * ({@code W_enc} [d_sae, d_in] and {@code W_dec} [d_out, d_sae], both transposed on load; {@code b_enc}, {@code b_dec};
 * {@code W_skip} [d_out, d_in] applied as x W_skipᵀ, which its loader requires), or a Gemma Scope
 * {@code params.npz} (JumpReLU). Local paths are relative to the config; {@code hf://} paths are refused (download
 * them first). The writer lays a set of ReLU transcoders out the same way, W_skip zero where there is none.
 */
public final class CircuitTracerTranscoders {
    private static final ObjectMapper YAML = LoupeJson.mapper(new YAMLFactory());
    private static final Set<String> KEYS = Set.of("model_name", "feature_input_hook", "feature_output_hook",
            "transcoders", "scan");
    private static final Set<String> ENTRY = Set.of("id", "layer", "filepath");
    private static final Set<String> TENSORS = Set.of("W_enc", "W_dec", "b_enc", "b_dec", "W_skip");

    private CircuitTracerTranscoders() {}

    /** Whether {@code path} is a circuit-tracer config (a .yaml/.yml file). */
    public static boolean isConfig(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        return Files.isRegularFile(path) && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    /** The transcoders of a config, by layer. */
    public static Map<Integer, Transcoder> read(Path config) {
        JsonNode cfg;
        try {
            cfg = YAML.readTree(dev.loupe.io.JsonLimits.check(config, dev.loupe.io.JsonLimits.CONFIG).toFile());
        } catch (IOException e) {
            throw new LoupeException(config + ": not valid YAML (" + String.valueOf(e.getMessage()).lines()
                    .findFirst().orElse("") + ")");
        }
        if (cfg == null || !cfg.isObject()) {
            throw new LoupeException(config + ": expected a YAML mapping with 'transcoders'");
        }
        known(config, cfg, KEYS, "");
        String in = text(config, cfg, "feature_input_hook");
        String out = text(config, cfg, "feature_output_hook");
        JsonNode list = cfg.get("transcoders");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new LoupeException(config + ": field 'transcoders' " + (list == null ? "missing" : "is " + list)
                    + " (expected a list of {id, layer, filepath})");
        }
        Map<Integer, Transcoder> byLayer = new TreeMap<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String where = "transcoders[" + i + "]";
            if (!e.isObject()) {
                throw new LoupeException(config + ": field '" + where + "' is " + e + " (expected {id, layer, filepath})");
            }
            known(config, e, ENTRY, where + ".");
            JsonNode layerNode = e.get("layer");
            if (layerNode == null || !layerNode.canConvertToInt() || !layerNode.isIntegralNumber()
                    || layerNode.intValue() < 0) {
                throw new LoupeException(config + ": field '" + where + ".layer' " + (layerNode == null ? "missing"
                        : "is " + layerNode) + " (expected a layer index)");
            }
            int layer = layerNode.intValue();
            String file = text(config, e, "filepath");
            if (file.startsWith("hf://")) {
                throw new LoupeException(config + ": field '" + where + ".filepath' is " + file + " (Loupe reads local "
                        + "files; download it and give its path)");
            }
            Path p = config.toAbsolutePath().getParent().resolve(file).normalize();
            HookPoint hookIn = hook(config, layer, in, "feature_input_hook");
            HookPoint hookOut = hook(config, layer, out, "feature_output_hook");
            Transcoder t = p.toString().endsWith(".npz") ? npz(p, hookIn, hookOut) : relu(p, hookIn, hookOut);
            if (byLayer.put(layer, t) != null) {
                throw new LoupeException(config + ": two transcoders for layer " + layer);
            }
        }
        return byLayer;
    }

    private static Transcoder npz(Path p, HookPoint in, HookPoint out) {
        Transcoder g = GemmaScopeNpz.read(p);
        return new Transcoder(in, out, InputConvention.of(in), g.mlp());
    }

    private static Transcoder relu(Path p, HookPoint in, HookPoint out) {
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            for (String name : new java.util.TreeSet<>(f.names())) {
                if (!TENSORS.contains(name)) {
                    throw new LoupeException(p + ": tensor '" + name + "' is not one circuit-tracer's ReLU transcoder "
                            + "has (expected " + new java.util.TreeSet<>(TENSORS) + ")");
                }
            }
            Tensor wEnc = present(f, "W_enc");
            Tensor wDec = present(f, "W_dec");
            if (wEnc.rank() != 2 || wDec.rank() != 2) {
                throw new LoupeException(p + ": W_enc and W_dec must be matrices");
            }
            int dSae = wEnc.size(0);
            int dIn = wEnc.size(1);
            int dOut = wDec.size(0);
            shape(p, "W_dec", wDec, dOut, dSae);
            Tensor bEnc = shape(p, "b_enc", present(f, "b_enc"), dSae);
            Tensor bDec = shape(p, "b_dec", present(f, "b_dec"), dOut);
            Tensor skip = f.has("W_skip") ? shape(p, "W_skip", f.tensor("W_skip"), dOut, dIn).transpose() : null;
            return new Transcoder(in, out, InputConvention.of(in), new SpliceFunction.SparseMlp(
                    wEnc.transpose(), bEnc, wDec.transpose(), Tensor.zeros(dIn), bDec, null, skip, null));
        }
    }

    /**
     * Writes {@code transcoders} (ReLU, one per layer 0..n−1, all between the same two sites) as a circuit-tracer set:
     * {@code config.yaml} and {@code layer_L.safetensors}.
     */
    public static void write(Path dir, Map<Integer, Transcoder> transcoders, String modelName) {
        TreeMap<Integer, Transcoder> sorted = new TreeMap<>(transcoders);
        if (sorted.isEmpty() || sorted.firstKey() != 0 || sorted.lastKey() != sorted.size() - 1) {
            throw new LoupeException("circuit-tracer needs a transcoder for every layer from 0 (got layers "
                    + sorted.keySet() + ")");
        }
        Transcoder first = sorted.firstEntry().getValue();
        ObjectNode cfg = YAML.createObjectNode().put("model_name", modelName)
                .put("feature_input_hook", inBlock(first.hookIn())).put("feature_output_hook", inBlock(first.hookOut()));
        ArrayNode list = cfg.putArray("transcoders");
        Map<String, AtomicFiles.Content> files = new LinkedHashMap<>();
        sorted.forEach((layer, t) -> {
            if (!inBlock(t.hookIn()).equals(inBlock(first.hookIn())) || !inBlock(t.hookOut())
                    .equals(inBlock(first.hookOut())) || t.hookIn().layer() != layer) {
                throw new LoupeException("circuit-tracer: the layer " + layer + " transcoder reads " + t.hookIn()
                        + " and writes " + t.hookOut() + "; every layer must use blocks.L." + inBlock(first.hookIn())
                        + " -> blocks.L." + inBlock(first.hookOut()));
            }
            SpliceFunction.SparseMlp m = t.saeLensForm().mlp();
            if (!(m.activation() instanceof SparseActivation.Relu)
                    || m.normalization() != dev.loupe.api.intervention.InputNormalization.NONE) {
                throw new LoupeException("circuit-tracer: the layer " + layer + " transcoder is "
                        + m.activation().getClass().getSimpleName() + " with normalization " + m.normalization()
                        + " (its safetensors loader reads ReLU transcoders only)");
            }
            Map<String, Tensor> w = new LinkedHashMap<>();
            w.put("W_enc", m.wEnc().transpose());
            w.put("W_dec", m.wDec().transpose());
            w.put("b_enc", m.bEnc());
            w.put("b_dec", m.bDecOut());
            w.put("W_skip", m.wSkip() == null ? Tensor.zeros(t.dOut(), t.dIn()) : m.wSkip().transpose());
            String name = "layer_" + layer + ".safetensors";
            files.put(name, SafetensorsWriter.content(w, Map.of(), Map.of("format", "pt")));
            list.addObject().put("id", modelName.replaceAll(".*/", "") + "-loupe-" + layer).put("layer", layer)
                    .put("filepath", name);
        });
        files.put("config.yaml", tmp -> YAML.writeValue(tmp.toFile(), cfg));
        dev.loupe.io.FileSetCommit.write(dir.resolve(".loupe-commit"), files);
    }

    /**
     * circuit-tracer wraps each MLP with hooks of its own: {@code mlp.hook_in} is the MLP's input (the second norm's
     * output, Loupe's {@code ln2.hook_out}) and {@code mlp.hook_out} its output ({@code hook_mlp_out}).
     */
    private static final Map<String, String> WRAPPED = Map.of("mlp.hook_in", "ln2.hook_out", "mlp.hook_out",
            "hook_mlp_out");

    private static String inBlock(HookPoint h) {
        if (h.site() == dev.loupe.api.HookSite.LN2_OUT) {
            return "mlp.hook_in";
        }
        String name = h.name();
        String prefix = "blocks." + h.layer() + ".";
        if (!name.startsWith(prefix)) {
            throw new LoupeException("circuit-tracer: hook " + name + " is not inside a block");
        }
        return name.substring(prefix.length());
    }

    private static HookPoint hook(Path config, int layer, String inBlock, String field) {
        try {
            return HookPoint.parse("blocks." + layer + "." + WRAPPED.getOrDefault(inBlock, inBlock));
        } catch (LoupeException e) {
            throw new LoupeException(config + ": field '" + field + "': " + e.getMessage());
        }
    }

    private static Tensor present(SafetensorsFile f, String name) {
        if (!f.has(name)) {
            throw new LoupeException(f.path() + ": tensor '" + name + "' missing");
        }
        return f.tensor(name);
    }

    private static Tensor shape(Path p, String name, Tensor t, int... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new LoupeException(p + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape) + " (circuit-tracer's layout: W_enc [d_sae, d_in], "
                    + "W_dec [d_out, d_sae], W_skip [d_out, d_in])");
        }
        return t;
    }

    private static String text(Path config, JsonNode node, String name) {
        JsonNode n = node.get(name);
        if (n == null || !n.isTextual()) {
            throw new LoupeException(config + ": field '" + name + "' " + (n == null ? "missing" : "is " + n)
                    + " (expected a string)");
        }
        return n.asText();
    }

    private static void known(Path config, JsonNode node, Set<String> keys, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                throw new LoupeException(config + ": field '" + prefix + k + "' is not one circuit-tracer's "
                        + "load_transcoder_set reads");
            }
        }
    }
}
