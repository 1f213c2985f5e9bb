package dev.loupe.studies.toyworld;

import dev.loupe.api.Capability;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.studies.toyworld.demo.Demo;
import dev.loupe.studies.toyworld.demo.DemoReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code loupe demo} as a plugin: the three methods on the embedded model's toy world ({@link Demo}), written as
 * {@code report.html} and {@code results.json}; the trained transcoders go under the output folder too.
 */
public final class ToyWorldDemoMethod implements Method<ToyWorldDemoMethod.Config> {
    /** @param quick small budgets everywhere (about a minute): smaller results, not different in kind */
    public record Config(boolean quick) {}

    @Override
    public String name() {
        return "toyworld-demo";
    }

    @Override
    public String description() {
        return "the embedded model's toy world: steering on refusal, transcoders and the greater-than circuit, "
                + "ObsProp on pronouns";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(false);
    }

    @Override
    public Set<Capability> requires() {
        return Set.of(Capability.GRADIENTS, Capability.TRAINING);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        ToyWorld.requireTokenizer(context.model().tokenizer(), name());
        Demo d = Demo.run(context.model(), context.plugins(), context.outputDir(), config.quick(), context.seed(),
                context.progress());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", context.modelName());
        doc.put("demo", d);
        Path results = StudyFiles.json(context.outputDir().resolve("results.json"), doc);
        Path report = context.outputDir().resolve("report.html");
        DemoReport.build(d).write(report);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("steered_forbidden_refused", d.steering().conditions().get(1).metrics().get("forbidden_refused"));
        metrics.put("transcoder_explained_variance", d.transcoder().explainedVariance());
        metrics.put("circuit_sweep_correlation", d.circuit().sweep().correlation());
        metrics.put("obsprop_auc", d.comparison().obsProp());
        return new MethodResult(name(), metrics, d, java.util.List.of(report, results));
    }
}
