package dev.loupe.studies.toyworld;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.eval.toy.Windows;
import dev.loupe.method.transcoder.TranscoderEvalMethod;
import java.util.List;

/**
 * {@link TranscoderEvalMethod}'s evaluation on toy-world text generated from the context's seed, with the
 * greater-than task clean and spliced by default: what {@code loupe transcoder eval} runs on the embedded model
 * without {@code --corpus}.
 */
public final class ToyWorldTranscoderEvalMethod implements Method<ToyWorldTranscoderEvalMethod.Config> {
    /**
     * @param transcoder the transcoder folder or file
     * @param context    tokens per window (0: the model's n_ctx)
     * @param windows    windows scored
     * @param evaluators evaluator plugins scored clean and with the transcoder spliced in
     * @param force      evaluate a transcoder made on another kind of model (with a warning)
     */
    public record Config(String transcoder, int context, int windows, List<String> evaluators, boolean force) {}

    @Override
    public String name() {
        return "toyworld-transcoder-eval";
    }

    @Override
    public String description() {
        return "toy world: SAELens metrics of a transcoder on generated toy-world text, greater-than spliced";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, 0, 64, List.of("greater-than"), false);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        ToyWorld.requireTokenizer(context.model().tokenizer(), name());
        var m = context.model();
        Windows text = Windows.toyWorld(m, context.seed(), config.context() > 0 ? config.context() : m.spec().nCtx());
        return TranscoderEvalMethod.evaluate(context, name(), config.transcoder(), config.force(), text, config.windows(),
                config.evaluators(), "toy-world text");
    }
}
