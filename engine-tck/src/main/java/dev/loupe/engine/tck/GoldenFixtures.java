package dev.loupe.engine.tck;

import dev.loupe.io.SafetensorsFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden checkpoints shipped in this jar (GPT-2 by nanoGPT, GPT-NeoX by HF transformers, Llama with GQA by
 * llama2.c; provenance in {@code golden/README.md}), extracted once per run into a temporary folder so any engine
 * can load them as Hugging Face directories.
 */
public final class GoldenFixtures {
    /** The three families. */
    public static final List<String> MODELS = List.of("gpt2-tiny", "neox-tiny", "llama-tiny");
    /** The HF-transformers fixtures under {@code families/} (see the README there). */
    public static final List<String> FAMILIES = List.of("gemma", "gemma2", "gemma3-text", "qwen3", "qwen2-sliding",
            "mistral-sliding", "llama3-rope", "llama-linear-rope", "llama-biases", "phi3", "olmo2", "gptj", "gpt-neo",
            "phi", "opt", "neox-no-attention-bias", "gpt2-inverse-layer-scale");
    /** Loupe's own fixtures under {@code loupe-families/}, made by {@code testdata/make_loupe_families.py}. */
    public static final List<String> LOUPE_FAMILIES = List.of("gemma3-linear-rope", "llama32-tied",
            "mistral-head-dim", "qwen3-sliding", "phi3-sliding", "opt-no-bias", "neox-sequential", "gpt2-relu-n-inner",
            "gptj-full-rotary");
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "activations.safetensors");
    private static final Map<String, Path> EXTRACTED = new HashMap<>();

    private GoldenFixtures() {}

    /** The folder of one {@link #FAMILIES} or {@link #LOUPE_FAMILIES} fixture. */
    public static Path family(String name) {
        return directory((LOUPE_FAMILIES.contains(name) ? "loupe-families/" : "families/") + name);
    }

    /** Every family fixture, the shared ones first. */
    public static List<String> allFamilies() {
        return java.util.stream.Stream.concat(FAMILIES.stream(), LOUPE_FAMILIES.stream()).toList();
    }

    /** The folder of one golden checkpoint. */
    public static synchronized Path directory(String model) {
        return EXTRACTED.computeIfAbsent(model, GoldenFixtures::extract);
    }

    /** The input ids of golden sequence {@code seq} (0, 1, 2: lengths 1, 7, 33). */
    public static int[] ids(String model, int seq) {
        try (SafetensorsFile f = SafetensorsFile.open(directory(model).resolve("activations.safetensors"))) {
            long[] ids = f.longs("seq" + seq + ".input_ids");
            int[] out = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = (int) ids[i];
            }
            return out;
        }
    }

    /** The input ids stored as {@code prefix + "input_ids"}. */
    static int[] tokens(SafetensorsFile golden, String prefix) {
        long[] ids = golden.longs(prefix + "input_ids");
        int[] tokens = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            tokens[i] = (int) ids[i];
        }
        return tokens;
    }

    /** Every hook stored under {@code prefix} (all but input ids and logits), in file order. */
    static java.util.Set<dev.loupe.api.HookPoint> storedHooks(SafetensorsFile golden, String prefix) {
        java.util.Set<dev.loupe.api.HookPoint> hooks = new java.util.LinkedHashSet<>();
        for (String name : golden.names()) {
            if (name.startsWith(prefix) && !name.endsWith("input_ids") && !name.endsWith("logits")) {
                hooks.add(dev.loupe.api.HookPoint.parse(name.substring(prefix.length())));
            }
        }
        return hooks;
    }

    private static Path extract(String model) {
        try {
            Path dir = Files.createTempDirectory("loupe-tck-" + model.replace('/', '-'));
            dir.toFile().deleteOnExit();
            for (String file : FILES) {
                String resource = "golden/" + model + "/" + file;
                try (InputStream in = GoldenFixtures.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("the kit lacks " + resource);
                    }
                    Path target = dir.resolve(file);
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    target.toFile().deleteOnExit();
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
