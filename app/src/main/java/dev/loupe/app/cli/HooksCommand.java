package dev.loupe.app.cli;

import dev.loupe.api.HookPoint;
import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Lists every hook point of a model with its activation shape. */
@Command(name = "hooks", mixinStandardHelpOptions = true,
        footer = {"", "Example: loupe hooks --model testdata/golden/gpt2-tiny --pos 4"},
        description = "List the model's hook points (TransformerLens names) and their shapes.")
public final class HooksCommand extends ModelCommand {
    @Range(min = 0) @Option(names = "--pos", defaultValue = "1", description = "Sequence length used for the shapes (default: ${DEFAULT-VALUE}).")
    int pos;

    @Override
    public void run() {
        List<Map<String, Object>> hooks = new ArrayList<>();
        try (Model m = options.load(loader)) {
            ModelSpec s = m.spec();
            for (HookPoint h : s.hookPoints()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", h.name());
                row.put("shape", s.shapeOf(h, 1, pos));
                hooks.add(row);
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(Json.write(hooks));
            return;
        }
        for (Map<String, Object> row : hooks) {
            w.printf("%-36s %s%n", row.get("name"), java.util.Arrays.toString((int[]) row.get("shape")));
        }
    }
}
