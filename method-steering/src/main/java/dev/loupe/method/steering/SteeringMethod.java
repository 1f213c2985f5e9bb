package dev.loupe.method.steering;

import dev.loupe.api.Capability;
import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.json.LoupeJson;
import dev.loupe.vectors.SteeringVectorFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The steering method as a plugin: optimise one vector on one or more datapoints and write it as a vector file. */
public final class SteeringMethod implements Method<SteeringMethod.Config> {

    /**
     * What to optimise.
     *
     * @param datapoints the training examples (one, as in the paper, or several): each a prompt (BOS is prepended
     *                   when the tokenizer has one) with completions to promote and to suppress
     * @param steering   optimisation settings
     * @param name       base name of the vector file in the output directory
     * @param rendered   the prompts are a chat template's output (special tokens in the text): encoded as they
     *                   are, without adding BOS, as {@code apply_chat_template} tokenises
     */
    public record Config(List<Example> datapoints, SteeringConfig steering, String name, boolean rendered) {}

    /**
     * One training example; every field is given ({@code []} for no completions).
     *
     * @param prompt   the prompt text
     * @param promote  completions to make likely
     * @param suppress completions to make unlikely
     */
    public record Example(String prompt, List<String> promote, List<String> suppress) {}

    /** What the optimisation reached: the loss before and after, iterations, why it stopped, ‖v‖, the vector file. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Optimized(double initialLoss, double loss, int iterations, String stop, double norm, String vector)
            implements dev.loupe.api.spi.TextSummary {
        @Override
        public List<String> lines() {
            return List.of(String.format("loss %.4f -> %.4f after %d iterations (%s); ||v|| = %.3f", initialLoss, loss,
                    iterations, stop, norm));
        }
    }

    @Override
    public String name() {
        return "steering";
    }

    @Override
    public String description() {
        return "one-shot optimized steering vector (Dunefsky et al., COLM 2025)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** No datapoints (they must be given), the paper's settings at the model's middle layer, "vector". */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, SteeringConfig.defaults(spec.nLayers() / 2), "vector", false);
    }

    @Override
    public Set<Capability> requires() {
        return Set.of(Capability.GRADIENTS);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        if (config.datapoints().isEmpty()) {
            throw new LoupeException("steering needs at least one datapoint (a prompt with completions)");
        }
        Tokenizer tok = context.model().tokenizer();
        List<Datapoint> points = new ArrayList<>();
        for (Example e : config.datapoints()) {
            points.add(config.rendered() ? Datapoint.of(tok, tok.encode(e.prompt()), e.promote(), e.suppress())
                    : Datapoint.of(tok, e.prompt(), e.promote(), e.suppress()));
        }
        OneShotSteering.Result r = OneShotSteering.optimize(context.model(), points, config.steering(),
                context.progress());
        Path base = context.outputDir().resolve(config.name());
        String prompts = config.datapoints().size() == 1 ? config.datapoints().get(0).prompt()
                : String.join(" | ", config.datapoints().stream().map(Example::prompt).toList());
        SteeringVectorFile.write(base, r.vector(), SteeringVectorFile.Metadata.of(context.modelName(),
                config.steering().placement(), LoupeJson.mapper().valueToTree(config.steering()), r.vector(), r.loss(),
                r.iterations(), prompts)
                .madeOn(dev.loupe.api.ModelFingerprint.of(context.model())));
        Optimized summary = new Optimized(r.history().get(0), r.loss(), r.iterations(), r.stop().name(),
                r.vector().norm(), base.toString());
        return new MethodResult(name(), Map.of("loss", r.loss(), "initial_loss", r.history().get(0),
                "norm", r.vector().norm(), "iterations", (double) r.iterations()), summary,
                List.of(SteeringVectorFile.sibling(base, ".json"), SteeringVectorFile.sibling(base, ".safetensors")));
    }
}
