package dev.loupe.studies.toyworld;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.eval.TaskEvaluator;
import dev.loupe.eval.toy.ToyWorld;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.method.transcoder.circuit.CircuitMethod;
import dev.loupe.method.transcoder.circuit.CircuitTracerJson;
import dev.loupe.studies.toyworld.circuit.GreaterThanCircuit;
import dev.loupe.studies.toyworld.circuit.GreaterThanReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@link GreaterThanCircuit} as a plugin: the greater-than circuit through transcoders, as circuit-tracer's graph
 * files ({@code loupe-greater-than.json}, {@code graph-metadata.json}) and {@code circuit.html} with the
 * de-embedding and logit-effect curves.
 */
public final class GreaterThanMethod implements Method<GreaterThanMethod.Config> {
    /** The prompt {@code loupe transcoder circuit} explains on the embedded model when given none. */
    public static final String PROMPT = "The war lasted from the year 1732 to the year 17";

    /**
     * @param transcoders transcoder folders, one per layer
     * @param prompt      a greater-than prompt ending in the century
     * @param k           paths kept per round
     * @param depth       rounds of expansion
     * @param force       use transcoders made on another kind of model (with a warning)
     */
    public record Config(List<String> transcoders, String prompt, int k, int depth, boolean force) {}

    @Override
    public String name() {
        return "toyworld-greater-than";
    }

    @Override
    public String description() {
        return "toy world: the greater-than circuit through transcoders, with de-embedding vs logit-effect curves";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** Transcoders must be given; the 1732 prompt, 10 paths per round, 3 rounds. */
    @Override
    public Config defaults(ModelSpec spec) {
        return new Config(null, PROMPT, 10, 3, false);
    }

    @Override
    public MethodResult run(MethodContext context, Config config) {
        ToyWorld.requireTokenizer(context.model().tokenizer(), name());
        Model m = context.model();
        if (config.prompt().isEmpty()) {
            throw new LoupeException(name() + ": prompt is empty");
        }
        Map<Integer, Transcoder> byLayer = CircuitMethod.byLayer(context, name(), config.transcoders(),
                config.force());
        GreaterThanCircuit c = GreaterThanCircuit.run(m, byLayer, config.prompt(),
                StudyFiles.positive(name(), "k", config.k()), StudyFiles.positive(name(), "depth", config.depth()));
        Path graph = CircuitTracerJson.write(context.outputDir(), c.graph(), CircuitTracerJson.Info.of(m, byLayer,
                TaskEvaluator.promptIds(m.tokenizer(), config.prompt()), GreaterThanCircuit.root(m, config.prompt()),
                c.graph(), "loupe-greater-than", context.modelName(), config.transcoders(), config.prompt()));
        Path page = context.outputDir().resolve("circuit.html");
        GreaterThanReport.build(c).write(page);
        return new MethodResult(name(), Map.of("root_value", c.graph().root().value(),
                "nodes", (double) c.graph().nodes().size(), "sweep_correlation", c.sweep().correlation(),
                "sweep_median_distance", c.sweep().medianDistance()), c,
                List.of(graph, context.outputDir().resolve("graph-metadata.json"), page));
    }
}
