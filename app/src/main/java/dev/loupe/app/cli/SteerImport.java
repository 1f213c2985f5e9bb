package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.vectors.GgufControlVector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loupe steer import}: a repeng / llama.cpp GGUF control vector as Loupe vector files, each direction.N at
 * {@code blocks.(N+1).hook_resid_pre}. With {@code --model} the widths and layers are checked against that model.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Read a GGUF control vector (repeng, llama.cpp) into Loupe vector files, one per direction.",
        footer = {"", "Example: loupe steer import --gguf honesty.gguf --model DIR --out honesty",
                "  (one direction: honesty.json/.safetensors; several: honesty-L4, honesty-L5, ... by resid_pre layer)"})
final class SteerImport extends ModelCommand {
    @Option(names = "--gguf", required = true, paramLabel = "FILE", description = "The control vector to read.")
    Path gguf;

    @Option(names = "--out", required = true, paramLabel = "BASE", description = "Base name of the vector file(s).")
    Path out;

    @Range(min = 1) @Option(names = "--direction", paramLabel = "N", description = "Import only direction.N (llama.cpp's layer "
            + "index: added after block N).") Integer direction;

    @Override
    public void run() {
        GgufControlVector.ControlVector c = GgufControlVector.readAll(gguf);
        List<GgufControlVector.Direction> chosen = direction == null ? c.directions()
                : c.directions().stream().filter(d -> d.index() == direction).toList();
        if (chosen.isEmpty()) {
            throw new LoupeException(gguf + ": " + (direction == null ? "no direction tensors" : "no direction."
                    + direction + " (it has " + c.directions().stream().map(d -> "direction." + d.index()).toList()
                    + ")"));
        }
        if (options.model != null) {
            try (Model m = options.load(loader)) {
                for (GgufControlVector.Direction d : chosen) {
                    if (d.vector().numel() != m.spec().dModel() || GgufControlVector.residPreLayer(d)
                            >= m.spec().nLayers()) {
                        throw new LoupeException(gguf + ": direction." + d.index() + " (" + d.vector().numel()
                                + " values, blocks." + GgufControlVector.residPreLayer(d) + ".hook_resid_pre) does not "
                                + "fit this model (d_model " + m.spec().dModel() + ", " + m.spec().nLayers()
                                + " layers): it belongs to another model");
                    }
                }
            }
        }
        Map<String, Object> written = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (GgufControlVector.Direction d : chosen) {
            int layer = GgufControlVector.residPreLayer(d);
            Path base = chosen.size() == 1 ? out : out.resolveSibling(out.getFileName() + "-L" + layer);
            GgufControlVector.importAs(base, d, c.modelHint(), gguf);
            written.put("direction." + d.index(), Map.of("hook", "blocks." + layer + ".hook_resid_pre", "vector",
                    base.toString(), "norm", d.vector().norm()));
            lines.add(String.format("direction.%d -> blocks.%d.hook_resid_pre, norm %.3f: %s", d.index(), layer,
                    d.vector().norm(), base));
        }
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(Json.write(Map.of("model_hint", c.modelHint(), "imported", written)));
            return;
        }
        w.println(gguf + " (model hint '" + c.modelHint() + "'):");
        lines.forEach(l -> w.println("  " + l));
    }
}
