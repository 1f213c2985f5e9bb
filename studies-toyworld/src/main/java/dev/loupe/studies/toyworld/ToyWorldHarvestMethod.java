package dev.loupe.studies.toyworld;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.eval.toy.Windows;
import dev.loupe.method.transcoder.ActivationHarvest;
import dev.loupe.method.transcoder.HarvestMethod;

/**
 * {@link HarvestMethod}'s harvest on toy-world text generated from the context's seed instead of a corpus: what
 * {@code loupe transcoder harvest} runs on the embedded model without {@code --corpus}.
 */
public final class ToyWorldHarvestMethod implements Method<ToyWorldHarvestMethod.Config> {
    /**
     * @param context     tokens per window (0: the model's n_ctx)
     * @param pair        which activations
     * @param tokens      rows to harvest
     * @param shardTokens rows per safetensors shard
     */
    public record Config(int context, HarvestMethod.Pair pair, long tokens, int shardTokens) {}

    @Override
    public String name() {
        return "toyworld-harvest";
    }

    @Override
    public String description() {
        return "toy world: harvest activation pairs of generated toy-world text (the embedded model's own kind)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(0, HarvestMethod.Pair.defaults(), ActivationHarvest.DEFAULT_TOKENS,
                ActivationHarvest.DEFAULT_SHARD_TOKENS);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        ToyWorld.requireTokenizer(context.model().tokenizer(), name());
        var m = context.model();
        Windows text = Windows.toyWorld(m, context.seed(), config.context() > 0 ? config.context() : m.spec().nCtx());
        return HarvestMethod.harvest(context, name(), config.pair(), text, config.tokens(), config.shardTokens(),
                "toy-world text");
    }
}
