package dev.loupe.method.transcoder;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.loupe.api.Generation;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Positions;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.data.TokenizerPolicy;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Steering by one dictionary feature: the feature's activation on a prompt, and greedy continuations unsteered and
 * with the feature clamped to a value at every position ({@link Intervention.ClampFeature}: the rest of the
 * activation, the reconstruction error included, is kept). {@code loupe steer clamp} is a front-end over it.
 */
public final class FeatureClampMethod implements Method<FeatureClampMethod.Config> {
    /**
     * What to clamp and where.
     *
     * @param sae       an SAE or transcoder: SAELens folder, Gemma Scope {@code params.npz}, circuit-tracer layer
     * @param feature   the feature
     * @param value     the activation it is held at (0 ablates it)
     * @param prompt    the prompt continued
     * @param rendered  the prompt is a chat template's output: encoded as it is, without adding BOS
     * @param maxTokens tokens generated
     * @param force     apply a dictionary made on another kind of model (with a warning)
     */
    public record Config(String sae, int feature, double value, String prompt, boolean rendered, int maxTokens,
                         boolean force) {}

    /** The feature's activation at each prompt position, and both continuations. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Clamped(String sae, String hook, int feature, double value, String prompt,
                          float[] promptActivations, String unsteered, String clamped) implements TextSummary {
        /** The feature's largest activation over the prompt. */
        public float maxPromptActivation() {
            float max = Float.NEGATIVE_INFINITY;
            for (float x : promptActivations) {
                max = Math.max(max, x);
            }
            return max;
        }

        /** The feature's activation at the prompt's last position. */
        public float lastPromptActivation() {
            return promptActivations[promptActivations.length - 1];
        }

        @Override
        public List<String> lines() {
            return List.of(String.format("feature %d of %s at %s: on the prompt max %.4g, last position %.4g; clamped "
                            + "to %s", feature, sae, hook, maxPromptActivation(), lastPromptActivation(), value),
                    prompt, String.format("  %-10s %s", "unsteered", unsteered),
                    String.format("  %-10s %s", "clamped", clamped));
        }
    }

    @Override
    public String name() {
        return "feature-clamp";
    }

    @Override
    public String description() {
        return "greedy continuations of a prompt with one SAE or transcoder feature clamped to a value";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** Dictionary, feature, value and prompt must be given; 12 tokens, BOS prepended. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, -1, Double.NaN, null, false, 12, false);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        Model m = context.model();
        if (config.maxTokens() < 1) {
            throw new LoupeException(name() + ": maxTokens must be at least 1, got " + config.maxTokens());
        }
        if (!Double.isFinite(config.value())) {
            throw new LoupeException(name() + ": value must be a finite number, got " + config.value());
        }
        Path sae = Path.of(config.sae());
        Transcoder t = TranscoderFile.readFor(sae, m, config.force(), context.progress());
        if (config.feature() < 0 || config.feature() >= t.dSae()) {
            throw new LoupeException(name() + ": feature " + config.feature() + ": " + sae + " has " + t.dSae()
                    + " features (0.." + (t.dSae() - 1) + ")");
        }
        Tokenizer tok = m.tokenizer();
        int[] ids = TokenizerPolicy.promptIds(tok, config.prompt(), config.rendered(),
                name() + ": the prompt '" + config.prompt() + "'");
        Tensor in = m.run(RunRequest.of(ids).withCache(t.hookIn())).activation(t.hookIn()).select(0);
        float[] activations = new float[ids.length];
        for (int p = 0; p < ids.length; p++) {
            activations[p] = t.encode(in.select(p).toArray())[config.feature()];
        }
        List<Intervention> clamp = List.of(t.clamp(config.feature(), config.value(), Positions.all()));
        String unsteered = tok.decode(Generation.greedy(m, ids, config.maxTokens(), List.of(), tok.stopId()));
        String clamped = tok.decode(Generation.greedy(m, ids, config.maxTokens(), clamp, tok.stopId()));
        Clamped r = new Clamped(config.sae(), t.hookOut().name(), config.feature(), config.value(), config.prompt(),
                activations, unsteered, clamped);
        return new MethodResult(name(), Map.of("max_prompt_activation", (double) r.maxPromptActivation(),
                "last_prompt_activation", (double) r.lastPromptActivation()), r, List.of());
    }
}
