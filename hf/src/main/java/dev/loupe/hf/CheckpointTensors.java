package dev.loupe.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.io.JsonLimits;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The tensors of a checkpoint directory: {@code model.safetensors}, a sharded {@code model.safetensors.index.json},
 * or a single other {@code *.safetensors}. Pickled weights ({@code .bin}, {@code .pt}) are refused.
 */
public final class CheckpointTensors implements AutoCloseable {
    static final List<String> PICKLE_SUFFIXES = List.of(".bin", ".pt", ".pth", ".ckpt", ".pkl");

    private final Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    private final List<SafetensorsFile> files = new ArrayList<>();

    private CheckpointTensors() {}

    public static CheckpointTensors open(Path dir) {
        CheckpointTensors t = new CheckpointTensors();
        try {
            Path index = dir.resolve("model.safetensors.index.json");
            if (Files.isRegularFile(index)) {
                t.openIndex(dir, index);
            } else {
                Path single = dir.resolve("model.safetensors");
                if (!Files.isRegularFile(single)) {
                    single = soleSafetensors(dir);
                }
                t.add(SafetensorsFile.open(single));
            }
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static Path soleSafetensors(Path dir) {
        List<Path> found;
        List<Path> pickles;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.sorted().toList();
            found = all.stream().filter(p -> p.toString().endsWith(".safetensors")).toList();
            pickles = all.stream().filter(CheckpointTensors::isPickle).toList();
        } catch (IOException e) {
            throw new LoupeException(dir + ": cannot list directory: " + e.getMessage());
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.isEmpty() && !pickles.isEmpty()) {
            throw refusePickle(pickles.get(0));
        }
        throw new LoupeException(dir + ": expected model.safetensors (or model.safetensors.index.json), found "
                + (found.isEmpty() ? "no .safetensors file" : found.size() + " .safetensors files without an index"));
    }

    static boolean isPickle(Path p) {
        String n = p.getFileName().toString().toLowerCase();
        return PICKLE_SUFFIXES.stream().anyMatch(n::endsWith);
    }

    /** The one-line refusal for a pickled checkpoint, with how to convert it. */
    public static LoupeException refusePickle(Path p) {
        return new LoupeException(p + ": pickled weights are never loaded (unpickling can run code); convert to "
                + "safetensors first, e.g. python -c \"from transformers import AutoModelForCausalLM as M; "
                + "M.from_pretrained('DIR').save_pretrained('OUT', safe_serialization=True)\"");
    }

    private void openIndex(Path dir, Path index) {
        JsonNode map;
        try {
            map = LoupeJson.mapper().readTree(JsonLimits.check(index, JsonLimits.CONFIG).toFile()).get("weight_map");
        } catch (IOException e) {
            throw new LoupeException(index + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (map == null || !map.isObject()) {
            throw new LoupeException(index + ": expected an object field 'weight_map' {tensor: shard file}");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            SafetensorsFile f = shards.computeIfAbsent(e.getValue().asText(), name -> {
                SafetensorsFile opened = SafetensorsFile.open(dir.resolve(name));
                files.add(opened);
                return opened;
            });
            if (!f.has(e.getKey())) {
                throw new LoupeException(f.path() + ": index says it holds '" + e.getKey() + "' but it does not");
            }
            byTensor.put(e.getKey(), f);
        }
    }

    private void add(SafetensorsFile f) {
        files.add(f);
        for (String n : f.names()) {
            byTensor.put(n, f);
        }
    }

    /** The checkpoint's first file, for error messages. */
    public String origin() {
        return files.isEmpty() ? "checkpoint" : files.get(0).path().toString();
    }

    /** Every tensor name in the checkpoint. */
    public java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(byTensor.keySet());
    }

    /** The tensor with the most elements, or null for an empty checkpoint. */
    SafetensorsFile.Entry largest() {
        SafetensorsFile.Entry best = null;
        for (SafetensorsFile f : files) {
            for (String t : f.names()) {
                if (best == null || f.entry(t).numel() > best.numel()) {
                    best = f.entry(t);
                }
            }
        }
        return best;
    }

    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    /**
     * The file holding {@code name}, after checking it is there with {@code expectedShape} (no data is read); errors
     * name the file, the tensor and the shapes.
     */
    SafetensorsFile check(String name, int... expectedShape) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new LoupeException(origin() + ": tensor '" + name + "' missing (expected shape "
                    + Arrays.toString(expectedShape) + ")");
        }
        int[] shape = f.entry(name).shape();
        if (!Arrays.equals(shape, expectedShape)) {
            throw new LoupeException(f.path() + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return f;
    }

    /** The tensor, checked against {@code expectedShape} as {@link #check} does. */
    public Tensor get(String name, int... expectedShape) {
        return check(name, expectedShape).tensor(name);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
