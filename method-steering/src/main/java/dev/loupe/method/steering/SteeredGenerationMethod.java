package dev.loupe.method.steering;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.loupe.api.Generation;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.data.TokenizerPolicy;
import dev.loupe.vectors.SteeringVectorFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A vector's effect on one prompt: greedy continuations unsteered, with +v and with −v, the vector applied as it
 * was optimised (its hook, form and positions). {@code loupe steer generate} is a front-end over it.
 */
public final class SteeredGenerationMethod implements Method<SteeredGenerationMethod.Config> {
    /**
     * @param vector    a vector file's base name (as {@code steer optimize} writes it)
     * @param prompt    the prompt continued
     * @param rendered  the prompt is a chat template's output: encoded as it is, without adding BOS
     * @param maxTokens tokens generated
     * @param force     apply a vector made on another kind of model (with a warning)
     */
    public record Config(String vector, String prompt, boolean rendered, int maxTokens, boolean force) {}

    /** The prompt and its continuations (JSON keys {@code prompt}, {@code unsteered}, {@code +v}, {@code -v}). */
    @JsonPropertyOrder({"prompt", "unsteered", "+v", "-v"})
    public record Continuations(String prompt, String unsteered, @JsonProperty("+v") String plus,
                                @JsonProperty("-v") String minus) implements TextSummary {
        @Override
        public List<String> lines() {
            return List.of(prompt, String.format("  %-10s %s", "unsteered", unsteered),
                    String.format("  %-10s %s", "+v", plus), String.format("  %-10s %s", "-v", minus));
        }
    }

    @Override
    public String name() {
        return "steering-generate";
    }

    @Override
    public String description() {
        return "greedy continuations of a prompt unsteered, with +v and with -v";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** Vector and prompt must be given; 12 tokens, BOS prepended. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, null, false, 12, false);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        if (config.maxTokens() < 1) {
            throw new LoupeException(name() + ": maxTokens must be at least 1, got " + config.maxTokens());
        }
        Model m = context.model();
        SteeringVectorFile.Loaded loaded = SteeringVectorFile.readFor(Path.of(config.vector()), m, config.force(),
                context.progress());
        SteeringVectorFile.Metadata meta = loaded.metadata();
        Tokenizer tok = m.tokenizer();
        int[] ids = TokenizerPolicy.promptIds(tok, config.prompt(), config.rendered(),
                name() + ": the prompt '" + config.prompt() + "'");
        String[] texts = new String[3];
        double[] signs = {0, 1, -1};
        for (int i = 0; i < 3; i++) {
            Tensor v = loaded.vector().scale((float) signs[i]);
            List<Intervention> ivs = signs[i] == 0 ? List.of()
                    : List.of(meta.placement().intervention(v, false, ids.length));
            texts[i] = tok.decode(Generation.greedy(m, ids, config.maxTokens(), ivs, tok.stopId()));
        }
        Continuations r = new Continuations(config.prompt(), texts[0], texts[1], texts[2]);
        return new MethodResult(name(), Map.of("norm", (double) loaded.vector().norm()), r, List.of());
    }
}
