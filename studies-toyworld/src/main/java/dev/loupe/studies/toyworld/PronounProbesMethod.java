package dev.loupe.studies.toyworld;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.studies.toyworld.obsprop.ObsPropReport;
import dev.loupe.studies.toyworld.obsprop.ProbeComparison;
import java.util.Map;

/** {@link ProbeComparison} as a plugin: {@code compare.json} and {@code compare.html}. */
public final class PronounProbesMethod implements Method<PronounProbesMethod.Config> {
    /**
     * @param layer   the block whose resid_pre at the last token is classified
     * @param heldOut held-out prompts whose tokens give the AUC
     * @param repeats draws of the k training examples
     */
    public record Config(int layer, int heldOut, int repeats) {}

    @Override
    public String name() {
        return "toyworld-pronoun-probes";
    }

    @Override
    public String description() {
        return "toy world: AUC of the she - he feature vector vs probes trained on k = 1..32 examples (ObsProp)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** The middle layer, 300 held-out prompts, 20 draws. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(spec.nLayers() / 2, 300, 20);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        ToyWorld.requireTokenizer(context.model().tokenizer(), name());
        ProbeComparison c = ProbeComparison.run(context.model(), config.layer(),
                StudyFiles.positive(name(), "heldOut", config.heldOut()),
                StudyFiles.positive(name(), "repeats", config.repeats()), context.seed());
        return new MethodResult(name(), Map.of("obsprop_auc", c.obsProp(),
                "logistic_auc_k1", c.curve().get(0).logistic()), c,
                StudyFiles.write(context, "compare", c, ObsPropReport.compare(c)));
    }
}
