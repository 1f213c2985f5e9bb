package dev.loupe.method.obsprop;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import java.util.List;
import java.util.Map;

/**
 * ObsProp as a plugin: the feature vectors of an observable written as text ({@link ObservableExpression}), ranked
 * by norm ({@link ObservableFeatures}); the ranking is the result's summary and {@code observable-features.json}. {@code loupe obsprop features
 * --observable} is a front-end over it.
 */
public final class ObsPropFeaturesMethod implements Method<ObsPropFeaturesMethod.Config> {
    /**
     * What to propagate.
     *
     * @param observable a weighted sum of single-token logits, e.g. {@code logit(' she') - logit(' he')}
     * @param prompt     the prompt that linearises the MLPs and checks the LayerNorm rule; "" for none (heads'
     *                   direct paths only, weights alone)
     */
    public record Config(String observable, String prompt) {}

    @Override
    public String name() {
        return "obsprop";
    }

    @Override
    public String description() {
        return "feature vectors of an observable, ranked by norm (Dunefsky & Cohan, ICML 2024)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** No observable (it must be given), no prompt. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, "");
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        var tok = context.model().tokenizer();
        Observable n = ObservableExpression.parse(config.observable(), tok);
        int[] prompt = config.prompt().isEmpty() ? null : tok.encodeWithBos(config.prompt());
        ObservableFeatures f = ObservableFeatures.run(context.model(), config.observable(), n, prompt);
        Map<String, Double> metrics = new java.util.TreeMap<>();
        metrics.put("top_norm", f.ranked().get(0).norm());
        metrics.put("components", (double) f.ranked().size());
        if (f.finalNorm() != null) {
            metrics.put("layer_norm_rule_cosine", f.finalNorm().meanCosine());
        }
        return new MethodResult(name(), metrics, f,
                List.of(ResultFile.write(context.outputDir(), "observable-features.json", f)));
    }
}
