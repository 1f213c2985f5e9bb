package dev.loupe.studies.toyworld;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.method.obsprop.ComponentRanking;
import dev.loupe.studies.toyworld.obsprop.FeatureStudy;
import dev.loupe.studies.toyworld.obsprop.ObsPropReport;
import java.util.Map;

/** {@link FeatureStudy} as a plugin: {@code features.json} and {@code features.html}. */
public final class PronounFeaturesMethod implements Method<PronounFeaturesMethod.Config> {
    /**
     * @param prompts pronoun prompts the mean-ablation ranking averages over
     * @param paths   {@code DIRECT} or {@code THROUGH_MLPS}
     */
    public record Config(int prompts, ComponentRanking.Paths paths) {}

    @Override
    public String name() {
        return "toyworld-pronoun-features";
    }

    @Override
    public String description() {
        return "toy world: heads ranked by their she - he feature vector's norm beside mean-ablation (ObsProp)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(64, ComponentRanking.Paths.THROUGH_MLPS);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        ToyWorld.requireTokenizer(context.model().tokenizer(), name());
        FeatureStudy s = FeatureStudy.run(context.model(), StudyFiles.positive(name(), "prompts", config.prompts()),
                config.paths(), context.seed());
        return new MethodResult(name(), Map.of("top_three_shared", (double) s.topThreeShared(),
                "mover_cosine", s.moverCosine()), s,
                StudyFiles.write(context, "features", s, ObsPropReport.features(s)));
    }
}
