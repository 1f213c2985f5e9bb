package dev.loupe.app.cli;

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
        if (recorded != null) {
            recorded.checkAppliedTo(here, artifact, force, warning -> err.println("loupe: warning: " + warning));
        }
    }
}
