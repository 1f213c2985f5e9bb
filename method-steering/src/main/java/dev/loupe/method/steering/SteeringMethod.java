package dev.loupe.method.steering;

import dev.loupe.api.Capability;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.Tokenizer;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The steering method as a plugin: optimise one vector on one prompt and write it as a steering vector file. */
public final class SteeringMethod implements Method<SteeringMethod.Config> {

    /**
     * What to optimise.
     *
     * @param prompt   the training prompt (BOS is prepended when the tokenizer has one)
     * @param promote  completions to make likely
     * @param suppress completions to make unlikely
     * @param steering optimisation settings
     * @param name     base name of the vector file in the output directory
     */
    public record Config(String prompt, List<String> promote, List<String> suppress, SteeringConfig steering,
                         String name) {}

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

    /** No prompt (it must be given), no completions, the paper's settings at the model's middle layer, "vector". */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, List.of(), List.of(), SteeringConfig.defaults(spec.nLayers() / 2), "vector");
    }

    @Override
    public Set<Capability> requires() {
        return Set.of(Capability.GRADIENTS);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        Tokenizer tok = context.model().tokenizer();
        int[] body = tok.encode(config.prompt());
        int[] prompt = body;
        if (tok.bosId().isPresent()) {
            prompt = SteeringLosses.concat(new int[] {tok.bosId().getAsInt()}, body);
        }
        Datapoint d = new Datapoint(prompt, config.promote().stream().map(tok::encode).toList(),
                config.suppress().stream().map(tok::encode).toList(), false);
        OneShotSteering.Result r = OneShotSteering.optimize(context.model(), List.of(d), config.steering(),
                context.progress());
        Path base = context.outputDir().resolve(config.name());
        SteeringVectorFile.write(base, r.vector(), SteeringVectorFile.Metadata.of(context.modelName(),
                config.steering(), r.vector(), r.loss(), r.iterations(), config.prompt()));
        return new MethodResult(name(), Map.of("loss", r.loss(), "initial_loss", r.history().get(0),
                "norm", r.vector().norm(), "iterations", (double) r.iterations()), r.stop().name(),
                List.of(SteeringVectorFile.sibling(base, ".json"), SteeringVectorFile.sibling(base, ".safetensors")));
    }
}
