package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelFingerprint;
import java.io.PrintWriter;

/**
 * The check before an artifact is applied to a model: made on this model, nothing; on other weights of the same
 * kind (same shapes), a warning on standard error; on another kind of model, a one-line refusal unless
 * {@code --force} (then a warning). Artifacts without a fingerprint (older or imported files) are not checked.
 */
final class ModelIdentity {
    private ModelIdentity() {}

    static void check(ModelFingerprint recorded, Model model, boolean force, PrintWriter err, Object artifact) {
        if (recorded != null) {
            check(recorded, ModelFingerprint.of(model), force, err, artifact);
        }
    }

    /** As above, against a fingerprint already taken (one per model, however many artifacts). */
    static void check(ModelFingerprint recorded, ModelFingerprint here, boolean force, PrintWriter err,
                      Object artifact) {
        if (recorded == null) {
            return;
        }
        switch (recorded.compare(here)) {
            case SAME -> { }
            case OTHER_WEIGHTS -> err.println("loupe: warning: " + artifact + " was made on other weights of this kind "
                    + "of model (weights fingerprint " + brief(recorded.weights()) + ", this model "
                    + brief(here.weights()) + "): what it does here may not be what it did there");
            case OTHER_SHAPES -> {
                String what = artifact + " was made on another kind of model (shapes fingerprint "
                        + brief(recorded.shapes()) + ", this model " + brief(here.shapes()) + ")";
                if (!force) {
                    throw new LoupeException(what + "; --force applies it anyway");
                }
                err.println("loupe: warning: " + what + "; applied because of --force");
            }
        }
    }

    private static String brief(String hex) {
        return hex.substring(0, Math.min(12, hex.length()));
    }
}
