package dev.loupe.app.cli;

import dev.loupe.api.HookSite;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import dev.loupe.json.LoupeJson;
import dev.loupe.vectors.SteeringPlacement;
import dev.loupe.vectors.SteeringVectorFile;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loupe steer feature}: a steering vector from one SAE feature, its decoder row times a coefficient, added at
 * the SAE's hook (a {@code blocks.L.hook_resid_pre} SAE, or a transcoder writing there), as feature steering on
 * Neuronpedia adds a feature's direction.
 */
@Command(name = "feature", mixinStandardHelpOptions = true,
        description = "Write a steering vector from an SAE feature: coefficient * W_dec[feature] at the SAE's hook.",
        footer = {"", "Example: loupe steer feature --sae res-sae --feature 1234 --coefficient 8 --out f1234",
                "  then: loupe steer eval --vector f1234 --prompts mine.jsonl"})
final class SteerFeature implements Runnable {
    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "An SAE (or transcoder) folder.")
    Path sae;

    @Range(min = 0) @Option(names = "--feature", required = true, paramLabel = "N", description = "The feature.")
    int feature;

    @Range(min = -Double.MAX_VALUE, max = Double.MAX_VALUE) @Option(names = "--coefficient", defaultValue = "1",
            description = "Multiplies the decoder row (default: ${DEFAULT-VALUE}).") double coefficient;

    @Option(names = "--out", required = true, paramLabel = "BASE", description = "Base name of the vector file.")
    Path out;

    @Option(names = "--json", description = "Machine-readable output.") boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        Transcoder t = TranscoderFile.read(sae);
        boolean post = t.hookOut().site() == HookSite.RESID_POST;
        if (t.hookOut().site() != HookSite.RESID_PRE && !post) {
            throw new LoupeException(sae + ": it writes " + t.hookOut().name() + "; a steering vector is added at a "
                    + "blocks.L.hook_resid_pre or blocks.L.hook_resid_post (an SAE there, or a transcoder writing there)");
        }
        if (feature >= t.dSae()) {
            throw new LoupeException("--feature " + feature + ": " + sae + " has " + t.dSae() + " features");
        }
        int layer = t.hookOut().layer() + (post ? 1 : 0); // resid_post of L is resid_pre of L+1 (TransformerLens)
        Tensor v = t.wDec().select(feature).scale((float) coefficient);
        var provenance = LoupeJson.mapper().createObjectNode().put("sae", sae.toString()).put("feature", feature)
                .put("coefficient", coefficient).put("hookOut", t.hookOut().name());
        SteeringVectorFile.write(out, v, SteeringVectorFile.Metadata.of(sae.toString(),
                SteeringPlacement.added(layer), provenance, v, 0, 0,
                "SAE feature " + feature + " of " + sae + " x " + coefficient)
                .madeOn(TranscoderFile.madeOn(sae)));
        var w = spec.commandLine().getOut();
        String hook = dev.loupe.api.HookPoint.residPre(layer).name();
        java.util.Optional<Tensor> sparsity = TranscoderFile.logSparsity(sae, t.dSae());
        if (json) {
            Map<String, Object> o = new java.util.LinkedHashMap<>(Map.of("vector", out.toString(), "hook", hook,
                    "norm", v.norm()));
            sparsity.ifPresent(s -> o.put("log10_feature_density", s.get(feature)));
            w.println(Json.write(o));
            return;
        }
        w.printf("feature %d of %s x %s at %s%s, norm %.3f: wrote %s%n", feature, sae, coefficient, hook,
                post ? " (= " + t.hookOut() + ")" : "", v.norm(), out);
        sparsity.ifPresent(s -> w.printf("feature %d fires on 10^%.2f of tokens (sparsity.safetensors)%n", feature,
                s.get(feature)));
    }
}
