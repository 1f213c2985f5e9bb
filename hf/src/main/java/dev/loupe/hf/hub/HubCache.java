package dev.loupe.hf.hub;

import dev.loupe.api.LoupeException;
import dev.loupe.api.spi.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a {@link HubModel}'s snapshot in the standard Hugging Face cache ({@code $HF_HUB_CACHE},
 * {@code $HF_HOME/hub}, {@code ~/.cache/huggingface/hub}; in each, {@code models--org--name/snapshots/<commit>},
 * the commit read from {@code refs/<revision>} unless the revision is one), so a model downloaded with Python is used
 * as it is. When none holds it and {@code HF_HUB_OFFLINE} is not set, {@link HubDownloader} fetches it into the
 * first cache root, in the same layout.
 */
public final class HubCache {
    private final Map<String, String> env;

    public HubCache(Map<String, String> env) {
        this.env = env;
    }

    /** The cache for this process's environment. */
    public static HubCache fromEnvironment() {
        return new HubCache(System.getenv());
    }

    /** The cache roots in the order they are searched; the first is where downloads go. */
    public List<Path> roots() {
        Set<Path> out = new LinkedHashSet<>();
        if (set("HF_HUB_CACHE")) {
            out.add(Path.of(env.get("HF_HUB_CACHE")));
        }
        if (set("HF_HOME")) {
            out.add(Path.of(env.get("HF_HOME"), "hub"));
        }
        String home = set("HOME") ? env.get("HOME") : System.getProperty("user.home");
        out.add(Path.of(home, ".cache", "huggingface", "hub"));
        return new ArrayList<>(out);
    }

    /** Whether downloads are off ({@code HF_HUB_OFFLINE} = 1, true, yes or on). */
    public boolean offline() {
        String v = env.getOrDefault("HF_HUB_OFFLINE", "").trim().toLowerCase();
        return v.equals("1") || v.equals("true") || v.equals("yes") || v.equals("on");
    }

    /** The snapshot folder of {@code model} in the first root that has one with a {@code config.json}. */
    public Optional<Path> find(HubModel model) {
        for (Path root : roots()) {
            Optional<Path> s = snapshot(root, model);
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
    }

    /**
     * The snapshot of {@code model}: found in the cache, or else downloaded (unless offline); a one-line error
     * listing every place it looked when neither works.
     */
    public Path resolve(HubModel model, Progress progress) {
        Optional<Path> found = find(model);
        if (found.isPresent()) {
            return found.get();
        }
        if (offline()) {
            throw new LoupeException("model '" + model + "' is not in the Hugging Face cache (looked in "
                    + String.join(", ", roots().stream().map(r -> r.resolve(model.folder()).toString()).toList())
                    + ") and HF_HUB_OFFLINE is set, so it is not downloaded");
        }
        String endpoint = set("HF_ENDPOINT") ? env.get("HF_ENDPOINT") : "https://huggingface.co";
        String token = set("HF_TOKEN") ? env.get("HF_TOKEN") : null;
        return new HubDownloader(endpoint, token, stallTimeout(), progress).download(model, roots().get(0));
    }

    /** {@code HF_HUB_DOWNLOAD_TIMEOUT} (seconds a response may send nothing; huggingface_hub's default, 10). */
    private java.time.Duration stallTimeout() {
        if (!set("HF_HUB_DOWNLOAD_TIMEOUT")) {
            return java.time.Duration.ofSeconds(10);
        }
        String v = env.get("HF_HUB_DOWNLOAD_TIMEOUT").trim();
        try {
            double seconds = Double.parseDouble(v);
            if (seconds > 0 && seconds < 1e6) {
                return java.time.Duration.ofMillis((long) (seconds * 1000));
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new LoupeException("HF_HUB_DOWNLOAD_TIMEOUT is '" + v + "' (expected seconds, a number > 0)");
    }

    static Optional<Path> snapshot(Path root, HubModel model) {
        Path repo = root.resolve(model.folder());
        String commit = model.revision();
        if (!model.pinned()) {
            Path ref = repo.resolve("refs").resolve(model.revision());
            if (!Files.isRegularFile(ref)) {
                return Optional.empty();
            }
            try {
                commit = Files.readString(ref).trim();
            } catch (IOException e) {
                throw new LoupeException(ref + ": cannot read (" + e.getMessage() + ")");
            }
        }
        Path snap = repo.resolve("snapshots").resolve(commit);
        return Files.isRegularFile(snap.resolve("config.json")) ? Optional.of(snap) : Optional.empty();
    }

    private boolean set(String key) {
        return env.get(key) != null && !env.get(key).isBlank();
    }
}
