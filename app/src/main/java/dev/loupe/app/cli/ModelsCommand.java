package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.api.spi.Engine;
import dev.loupe.hf.HfCheckpoint;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.Command;

/** Lists engines and supported checkpoint families, and describes {@code --model} when given. */
@Command(name = "models", mixinStandardHelpOptions = true,
        footer = {"", "Example: loupe models --json"},
        description = "List engines and model families; with --model, describe that model.")
public final class ModelsCommand extends ModelCommand {
    @Override
    public void run() {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> engines = new ArrayList<>();
        for (Engine e : loader.plugins().engines().values()) {
            engines.add(Map.of("name", e.name(), "rank", e.rank(), "capabilities", new TreeSet<>(e.capabilities())));
        }
        out.put("engines", engines);
        out.put("families", HfCheckpoint.adapters().keySet());
        out.put("methods", loader.plugins().methods().keySet());
        out.put("evaluators", loader.plugins().evaluators().keySet());
        if (options.model != null) {
            try (Model m = options.load(loader)) {
                out.put("model", m.spec());
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(Json.write(out));
            return;
        }
        w.println("engines:");
        for (Map<String, Object> e : engines) {
            w.printf("  %-8s rank %-3s %s%n", e.get("name"), e.get("rank"), e.get("capabilities"));
        }
        w.println("model families (config.json model_type): " + String.join(", ", HfCheckpoint.adapters().keySet()));
        w.println("methods: " + String.join(", ", loader.plugins().methods().keySet()));
        w.println("evaluators: " + String.join(", ", loader.plugins().evaluators().keySet()));
        if (out.containsKey("model")) {
            w.println("model: " + out.get("model"));
        }
    }
}
