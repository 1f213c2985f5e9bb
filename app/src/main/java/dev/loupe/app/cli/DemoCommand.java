package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.api.spi.MethodResult;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the toy-world demo plugin on the embedded model: report.html and results.json. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Steering, a transcoder with its circuit, and ObsProp on the embedded model; writes report.html.",
        footer = {"", "Example: loupe demo --out loupe-demo && scripts/check-report loupe-demo/report.html",
                "Same as: loupe method run toyworld-demo --config demo.json --out loupe-demo"})
public final class DemoCommand extends ModelCommand {
    @Option(names = "--out", defaultValue = "loupe-demo", paramLabel = "DIR",
            description = "Where report.html, results.json and the trained transcoder go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

    @Option(names = "--quick", description = "Small budgets everywhere (about a minute; for tests).") boolean quick;

    @Override
    public void run() {
        MethodResult r;
        try (Model m = options.load(loader)) {
            r = runPlugin(m, "toyworld-demo", Map.of("quick", quick), out, seed);
        }
        print(r);
    }
}
