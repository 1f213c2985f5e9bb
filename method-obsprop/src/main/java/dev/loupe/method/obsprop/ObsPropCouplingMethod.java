package dev.loupe.method.obsprop;

import dev.loupe.api.LoupeException;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.data.Corpus;
import dev.loupe.data.TokenWindows;
import dev.loupe.data.TokenizerPolicy;
import java.util.List;
import java.util.Map;

/**
 * Coupling coefficients of the user's observables checked on the user's text ({@link ObservableCoupling}); the
 * pairs are the result's summary and {@code coupling.json}. {@code loupe obsprop couple --observable … --corpus …} is a front-end over it.
 */
public final class ObsPropCouplingMethod implements Method<ObsPropCouplingMethod.Config> {
    /**
     * What to couple.
     *
     * @param observables one or two weighted sums of single-token logits
     * @param prompt      linearises the MLPs ("" for the heads' direct paths only)
     * @param corpus      text whose tokens give the activations ({@link Corpus}: .jsonl, plain text, a folder)
     * @param field       the JSONL field holding the text ("": {@code text})
     * @param policy      how the corpus becomes windows (context, stride, BOS)
     * @param windows     windows read from the corpus (fewer when it ends)
     */
    public record Config(List<String> observables, String prompt, String corpus, String field, TokenizerPolicy policy,
                         int windows) {}

    @Override
    public String name() {
        return "obsprop-couple";
    }

    @Override
    public String description() {
        return "coupling coefficients of observables' head feature vectors against slopes on a corpus";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** Observables and corpus must be given; no prompt, 64 consecutive n_ctx windows, BOS before each document. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, "", null, "", TokenizerPolicy.defaults(), 64);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        var model = context.model();
        if (config.observables().isEmpty() || config.observables().size() > 2) {
            throw new LoupeException("obsprop-couple: observables holds " + config.observables().size()
                    + " expressions (expected one or two)");
        }
        if (config.windows() < 1) {
            throw new LoupeException("obsprop-couple: windows must be at least 1, got " + config.windows());
        }
        List<Observable> ns = config.observables().stream()
                .map(e -> ObservableExpression.parse(e, model.tokenizer())).toList();
        TokenizerPolicy policy = config.policy().resolve(model.spec().nCtx());
        List<int[]> windows;
        try (TokenWindows text = TokenWindows.over(model, config.corpus(), config.field(), policy)) {
            windows = TokenWindows.take(text, config.windows());
        }
        if (windows.isEmpty()) {
            throw new LoupeException(config.corpus() + ": too little text for one window of " + policy.context()
                    + " tokens");
        }
        int[] prompt = config.prompt().isEmpty() ? null : policy.prompt(model.tokenizer(), config.prompt());
        ObservableCoupling c = ObservableCoupling.run(model, config.observables(), ns, prompt, windows);
        return new MethodResult(name(), Map.of("r2", c.r2(), "correlation", c.correlation(), "tokens",
                (double) c.tokens(), "pairs", (double) c.pairs().size()), c,
                List.of(ResultFile.write(context.outputDir(), "coupling.json", c)));
    }
}
