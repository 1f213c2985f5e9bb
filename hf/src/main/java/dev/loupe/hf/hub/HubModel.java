package dev.loupe.hf.hub;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model named as on the Hugging Face hub, {@code org/name} or {@code org/name@revision} (a branch, tag or commit
 * hash; {@code main} by default), and where it lives in the hub's cache layout ({@code models--org--name}).
 */
public record HubModel(String repo, String revision) {
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][\\w.-]*)/([\\w.-]+)(?:@([\\w./-]+))?");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    /** {@code spec} as a hub name, or empty when it does not look like one. */
    public static Optional<HubModel> parse(String spec) {
        Matcher m = NAME.matcher(spec);
        if (!m.matches() || spec.contains("..")) {
            return Optional.empty();
        }
        return Optional.of(new HubModel(m.group(1) + "/" + m.group(2), m.group(3) == null ? "main" : m.group(3)));
    }

    /** The repository's folder name in the cache. */
    public String folder() {
        return "models--" + repo.replace("/", "--");
    }

    /** Whether the revision is a full commit hash (then no {@code refs/} file is read or written). */
    public boolean pinned() {
        return COMMIT.matcher(revision).matches();
    }

    @Override
    public String toString() {
        return repo + "@" + revision;
    }
}
