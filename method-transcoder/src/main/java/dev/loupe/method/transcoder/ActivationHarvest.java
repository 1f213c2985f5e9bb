package dev.loupe.method.transcoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.dictionary.InputConvention;
import dev.loupe.io.AtomicFiles;
import dev.loupe.io.JsonLimits;
import dev.loupe.io.SafetensorsWriter;
import dev.loupe.api.spi.Progress;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Activation pairs for a transcoder on layer L, streamed from a corpus through any engine into sharded safetensors:
 * input x = {@code blocks.L.ln2.hook_out} (the LayerNorm's full output, weight and bias applied: what the
 * MLP reads), target y = {@code blocks.L.hook_mlp_out}, one row per token except each window's first.
 * {@code manifest.json} lists the shards with their hook names, widths and the input convention. A new harvest
 * into the same folder writes shards under new names and the manifest last, then deletes the shards it no longer
 * names: a killed harvest leaves the previous one complete.
 *
 * @param dir    the folder holding {@code manifest.json} and {@code shard-NNNNN.safetensors}
 * @param hookIn the input hook
 * @param hookOut the target hook
 * @param shards shard file names, in order
 * @param tokens rows over all shards
 * @param model  the model the activations came from ({@code model_fingerprint}), or null in older manifests
 */
public record ActivationHarvest(Path dir, HookPoint hookIn, HookPoint hookOut, List<String> shards, long tokens,
                                int dIn, int dOut, dev.loupe.api.ModelFingerprint model) {
    /** The manifest's file name in a harvest folder. */
    public static final String MANIFEST = "manifest.json";
    /** Rows a harvest writes unless told otherwise (every harvest command's default). */
    public static final long DEFAULT_TOKENS = 200_000;
    /** Rows per shard unless told otherwise. */
    public static final int DEFAULT_SHARD_TOKENS = 50_000;
    private static final ObjectMapper JSON = LoupeJson.pretty();
    private static final int BATCH = 16;

    /** The MLP pair of one layer: {@code blocks.L.ln2.hook_out → blocks.L.hook_mlp_out}. */
    public static ActivationHarvest run(Model model, int layer, Iterator<int[]> windows, long tokens, int shardTokens,
                                        Path dir, Progress progress) {
        HookPoint[] pair = mlpPair(model.spec(), layer);
        return run(model, pair[0], pair[1], windows, tokens, shardTokens, dir, progress);
    }

    /** Layer {@code layer}'s MLP input and output hooks, the pair a transcoder of that layer maps between. */
    public static HookPoint[] mlpPair(dev.loupe.api.ModelSpec spec, int layer) {
        if (layer < 0 || layer >= spec.nLayers()) {
            throw new LoupeException("layer " + layer + " is outside a model with " + spec.nLayers() + " layers");
        }
        return new HookPoint[] {HookPoint.of(layer, HookSite.LN2_OUT), HookPoint.of(layer, HookSite.MLP_OUT)};
    }

    /**
     * Runs windows through the model until {@code tokens} rows of (in, out) are written, {@code shardTokens} per
     * shard, or the windows end (a finite corpus): then {@link #tokens} says how many were. Both hooks must be
     * per-token activations of the model ([batch, pos, d]); widths may differ (e.g. {@code hook_mlp_out} to
     * {@code mlp.hook_post}), and in may equal out (a sparse autoencoder's data).
     */
    public static ActivationHarvest run(Model model, HookPoint in, HookPoint out, Iterator<int[]> windows,
                                        long tokens, int shardTokens, Path dir, Progress progress) {
        check(model, in, out);
        List<String> shards = new ArrayList<>();
        String run = AtomicFiles.newRunId();
        Rows xs = null;
        Rows ys = null;
        long written = 0;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LoupeException(dir + ": cannot create the activation folder (" + e.getMessage() + ")");
        }
        String convention = InputConvention.of(in);
        while (written < tokens) {
            List<int[]> batch = new ArrayList<>();
            for (int b = 0; b < BATCH && windows.hasNext(); b++) {
                batch.add(windows.next());
            }
            if (batch.isEmpty()) {
                break;
            }
            RunResult r = model.run(new RunRequest(batch, RunRequest.Padding.RIGHT, Set.of(in, out), List.of(),
                    RunRequest.LogitsMode.NONE));
            Tensor x = r.activation(in);
            Tensor y = r.activation(out);
            if (xs == null) {
                xs = new Rows(x.shape()[2]);
                ys = new Rows(y.shape()[2]);
            }
            for (int b = 0; b < batch.size() && written < tokens; b++) {
                for (int t = 1; t < batch.get(b).length && written < tokens; t++) {
                    xs.add(x.select(b).select(t).toArray());
                    ys.add(y.select(b).select(t).toArray());
                    written++;
                    if (xs.count() == shardTokens) {
                        shards.add(writeShard(dir, run, shards.size(), xs, ys, convention));
                    }
                }
            }
            progress.update("harvest", written, tokens, "tokens");
        }
        if (xs != null && xs.count() > 0) {
            shards.add(writeShard(dir, run, shards.size(), xs, ys, convention));
        }
        if (written == 0) {
            throw new LoupeException("the corpus gave no window to harvest (each window needs at least 2 tokens)");
        }
        int dIn = xs.d;
        int dOut = ys.d;
        dev.loupe.api.ModelFingerprint fingerprint = dev.loupe.api.ModelFingerprint.of(model);
        ActivationHarvest h = new ActivationHarvest(dir, in, out, List.copyOf(shards), written, dIn, dOut,
                fingerprint);
        AtomicFiles.write(dir.resolve(MANIFEST), tmp -> Files.write(tmp, h.manifestJson()));
        removeUnlisted(dir, shards);
        return h;
    }

    /**
     * {@code manifest.json} for this harvest: hooks, widths, rows, the input convention, the model's fingerprint and
     * the shards in row order. The one writer of the format (a distributed harvest writes it too).
     */
    public byte[] manifestJson() {
        ObjectNode manifest = JSON.createObjectNode().put("hook_in", hookIn.name()).put("hook_out", hookOut.name())
                .put("d_in", dIn).put("d_out", dOut).put("tokens", tokens)
                .put("input_convention", InputConvention.of(hookIn));
        if (model != null) {
            manifest.putObject("model_fingerprint").put("shapes", model.shapes()).put("weights", model.weights());
        }
        shards.forEach(manifest.putArray("shards")::add);
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletes the shards no manifest names any more (the previous harvest's, and those of killed runs) and the
     * temporaries killed runs left for shards.
     */
    private static void removeUnlisted(Path dir, List<String> kept) {
        try {
            AtomicFiles.removeStaleTemporaries(dir, name -> name.startsWith("shard-") && name.endsWith(".safetensors"));
        } catch (IOException e) {
            throw new LoupeException(dir + ": cannot remove a killed harvest's temporaries (" + e.getMessage() + ")");
        }
        try (var files = Files.newDirectoryStream(dir, "shard-*.safetensors")) {
            for (Path f : files) {
                if (!kept.contains(f.getFileName().toString())) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw new LoupeException(dir + ": cannot remove old shards (" + e.getMessage() + ")");
        }
    }

    /** Reads the manifest of a harvest folder. */
    public static ActivationHarvest open(Path dir) {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new LoupeException(dir + ": no manifest.json (expected a folder written by 'loupe transcoder harvest')");
        }
        try {
            JsonNode m = JSON.readTree(JsonLimits.check(file, JsonLimits.CONFIG).toFile());
            List<String> shards = new ArrayList<>();
            m.path("shards").forEach(s -> shards.add(s.asText()));
            if (shards.isEmpty() || !m.has("hook_in") || !m.has("d_in")) {
                throw new LoupeException(file + ": expected hook_in, hook_out, d_in, d_out and a non-empty shards list");
            }
            return new ActivationHarvest(dir,
                    InputConvention.inputHook(HookPoint.parse(m.get("hook_in").asText()),
                            m.path("input_convention").asText("")),
                    HookPoint.parse(m.path("hook_out").asText()), shards, m.path("tokens").asLong(),
                    m.get("d_in").asInt(), m.path("d_out").asInt(), m.has("model_fingerprint")
                    ? new dev.loupe.api.ModelFingerprint(m.get("model_fingerprint").path("shapes").asText(),
                    m.get("model_fingerprint").path("weights").asText()) : null);
        } catch (IOException e) {
            throw new LoupeException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /**
     * Refuses a pair the harvest cannot take: a hook the model lacks, one that is not a per-token activation, or an
     * input that comes after the target.
     */
    public static void check(Model model, HookPoint in, HookPoint out) {
        for (HookPoint h : List.of(in, out)) {
            if (!model.spec().hookPoints().contains(h)) {
                throw new LoupeException((h == in ? "the input hook " : "the output hook ") + h.name()
                        + " is not a hook point of this model (loupe hooks lists them)");
            }
            if (model.spec().shapeOf(h, 1, 1).length != 3) {
                throw new LoupeException(h.name() + " is not a per-token activation (its cache is "
                        + model.spec().shapeOf(h, 1, 1).length + "-D); a harvest takes [batch, pos, d] (e.g. "
                        + "hook_resid_pre, ln2.hook_out, hook_mlp_out, mlp.hook_post, hook_attn_out)");
            }
        }
        List<HookPoint> order = model.spec().hookPoints();
        if (order.indexOf(in) > order.indexOf(out)) {
            throw new LoupeException("the input hook " + in.name() + " comes after the output hook " + out.name()
                    + " in the forward pass; a transcoder maps an activation to a later one (or an SAE to itself)");
        }
    }

    /** Shards are named by run, so a harvest never overwrites the files the current manifest names. */
    private static String writeShard(Path dir, String run, int index, Rows xs, Rows ys, String convention) {
        String name = String.format("shard-%s-%05d.safetensors", run, index);
        SafetensorsWriter.write(dir.resolve(name), Map.of("x", xs.drain(), "y", ys.drain()),
                Map.of("input_convention", convention));
        return name;
    }

    /** A growing [n, d] block of rows. */
    private static final class Rows {
        private final int d;
        private float[] data = new float[0];
        private int count;

        Rows(int d) {
            this.d = d;
        }

        void add(float[] row) {
            if ((count + 1) * d > data.length) {
                data = java.util.Arrays.copyOf(data, Math.max(d * 1024, data.length * 2));
            }
            System.arraycopy(row, 0, data, count * d, d);
            count++;
        }

        int count() {
            return count;
        }

        Tensor drain() {
            Tensor t = Tensor.of(java.util.Arrays.copyOf(data, count * d), count, d);
            count = 0;
            return t;
        }
    }
}
