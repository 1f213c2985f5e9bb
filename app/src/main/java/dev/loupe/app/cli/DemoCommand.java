package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.app.demo.Demo;
import dev.loupe.app.report.DemoReport;
import dev.loupe.hf.JsonFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the three methods on the embedded model and writes report.html and results.json. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Steering, a transcoder with its circuit, and ObsProp on the embedded model; writes report.html.",
        footer = {"", "Example: loupe demo --out loupe-demo && scripts/check-report loupe-demo/report.html"})
public final class DemoCommand extends ModelCommand {
    @Option(names = "--out", defaultValue = "loupe-demo", paramLabel = "DIR",
            description = "Where report.html, results.json and the trained transcoder go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

    @Option(names = "--quick", description = "Small budgets everywhere (about a minute; for tests).") boolean quick;

    @Override
    public void run() {
        Demo d;
        try (Model m = options.load(loader)) {
            d = Demo.run(m, loader.plugins(), out, quick, seed, new ProgressBar(spec.commandLine().getErr()));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", options.modelName());
        doc.put("demo", d);
        JsonFiles.write(out.resolve("results.json"), doc);
        DemoReport.build(d).write(out.resolve("report.html"));
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(Json.write(doc));
            return;
        }
        w.printf("steering: +v answers %.0f%% of held-out forbidden requests (unsteered %.0f%%)%n",
                100 * (1 - d.steering().conditions().get(1).metrics().get("forbidden_refused")),
                100 * (1 - d.steering().conditions().get(0).metrics().get("forbidden_refused")));
        w.printf("transcoder: L0 %.1f, explained variance %.3f, ce_loss_score %.3f%n",
                d.transcoder().l0(), d.transcoder().explainedVariance(), d.transcoder().ceLossScore());
        w.printf("circuit (transcoder on MLP0): %s; de-embedding peak vs logit-effect step over the task: "
                + "correlation %.2f, median distance %.1f years%n",
                d.circuit().path().isEmpty() ? "no path of shape feature <- head <- YY" : String.join(" <- ",
                        d.circuit().path().stream().map(id -> d.circuit().graph().node(id).label()).toList()),
                d.circuit().sweep().correlation(), d.circuit().sweep().medianDistance());
        w.printf("obsprop: mover %s, %d of top-3 ablation heads in the top-3 by norm, AUC %.3f with one example "
                + "per class%n", d.features().mover(), d.features().topThreeShared(), d.comparison().obsProp());
        w.println("wrote " + out.resolve("report.html") + " and " + out.resolve("results.json") + " in "
                + d.seconds().values().stream().mapToDouble(Double::doubleValue).sum() + " s");
    }
}
