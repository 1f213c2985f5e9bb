package dev.loupe.studies.toyworld;

import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.studies.toyworld.obsprop.CouplingStudy;
import dev.loupe.studies.toyworld.obsprop.ObsPropReport;
import java.util.Map;

/** {@link CouplingStudy} as a plugin: {@code coupling.json} and {@code coupling.html}. */
public final class PronounCouplingMethod implements Method<PronounCouplingMethod.Config> {
    /** @param windows toy-world windows whose tokens give the activations the slopes are fitted on */
    public record Config(int windows) {}

    @Override
    public String name() {
        return "toyworld-pronoun-coupling";
    }

    @Override
    public String description() {
        return "toy world: coupling coefficients of the pronoun heads' feature vectors beside fitted slopes (ObsProp)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(64);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        ToyWorld.requireTokenizer(context.model().tokenizer(), name());
        CouplingStudy s = CouplingStudy.run(context.model(), StudyFiles.positive(name(), "windows", config.windows()),
                context.seed());
        return new MethodResult(name(), Map.of("subject_object_r2", s.subjectObjectR2(), "all_r2", s.allR2(),
                "correlation", s.correlation()), s,
                StudyFiles.write(context, "coupling", s, ObsPropReport.coupling(s)));
    }
}
