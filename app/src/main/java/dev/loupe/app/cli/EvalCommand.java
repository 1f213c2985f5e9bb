package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.api.spi.EvaluationResult;
import dev.loupe.api.spi.Evaluator;
import dev.loupe.app.ModelLoader;
import dev.loupe.app.report.EvalReport;
import dev.loupe.hf.JsonFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Scores a model with the evaluator plugins and writes results.json. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score a model (default: the embedded one) on the evaluators' held-out tasks.")
public final class EvalCommand extends ModelCommand {
    @Option(names = "--tasks", split = ",", paramLabel = "NAMES", description = "Evaluators to run (default: all).")
    List<String> tasks;

    @Range(min = 1) @Option(names = "--limit", defaultValue = "400", description = "Examples per task (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for sampling held-out examples.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "loupe-eval",
            description = "Where results.json and report.html go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public void run() {
        List<Evaluator> evaluators = new ArrayList<>();
        if (tasks == null) {
            evaluators.addAll(loader.plugins().evaluators().values());
        } else {
            tasks.forEach(t -> evaluators.add(loader.plugins().evaluator(t)));
        }
        PrintWriter w = spec.commandLine().getOut();
        try (Model m = options.load(loader)) {
            List<EvaluationResult> results = EvalTable.run(m, evaluators, seed, limit,
                    options.json ? dev.loupe.api.spi.Progress.NONE : new ProgressBar(spec.commandLine().getErr()));
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", options.modelName());
            doc.put("engine", m.engineName());
            doc.put("results", results);
            JsonFiles.write(out.resolve("results.json"), doc);
            Path dir = ModelLoader.directory(options.model);
            EvalReport.build(String.valueOf(doc.get("model")), m.engineName(), results, dir).write(out.resolve("report.html"));
            if (options.json) {
                w.println(Json.write(doc));
            } else {
                EvalTable.print(w, results);
                w.println("wrote " + out.resolve("results.json") + " and " + out.resolve("report.html"));
            }
        }
    }
}
