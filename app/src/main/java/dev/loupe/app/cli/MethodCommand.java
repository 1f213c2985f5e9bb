package dev.loupe.app.cli;

import dev.loupe.api.Model;
import dev.loupe.api.ModelSpec;
import dev.loupe.io.AtomicFiles;
import dev.loupe.api.spi.Method;
import dev.loupe.api.spi.MethodResult;
import dev.loupe.api.spi.TextSummary;
import dev.loupe.app.MethodConfigs;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loupe method list|run}: any method plugin found, Loupe's or a third party's, run from a JSON config. */
@Command(name = "method", mixinStandardHelpOptions = true, subcommands = {MethodCommand.ListMethods.class,
        MethodCommand.Run.class},
        description = "List the method plugins found, or run one from a JSON config.")
public final class MethodCommand {
    /** {@code loupe method list}: names, descriptions, required capabilities and defaults for the model. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            footer = {"", "Example: loupe method list --json"},
            description = "List the methods found, with what each needs and its config defaults for --model.")
    public static final class ListMethods extends ModelCommand {
        @Override
        public void run() {
            List<Map<String, Object>> rows = new ArrayList<>();
            ModelSpec shapes = shapes();
            for (Method<?> method : loader.plugins().methods().values()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", method.name());
                row.put("description", method.description());
                row.put("requires", new TreeSet<>(method.requires()));
                row.put("defaults", MethodConfigs.defaults(method, shapes));
                rows.add(row);
            }
            PrintWriter w = spec.commandLine().getOut();
            if (options.json) {
                w.println(Json.write(rows));
                return;
            }
            int width = rows.stream().mapToInt(r -> r.get("name").toString().length()).max().orElse(0);
            for (Map<String, Object> r : rows) {
                w.printf("%-" + width + "s  %s%s%n", r.get("name"), r.get("description"),
                        ((Set<?>) r.get("requires")).isEmpty() ? "" : " (needs " + r.get("requires") + ")");
            }
        }

        /**
         * The shapes the defaults are computed for: a Hugging Face folder's {@code config.json} alone (no weights
         * read), else (an engine's own file) the loaded model's.
         */
        private ModelSpec shapes() {
            Path dir = dev.loupe.app.ModelLoader.directory(options.model);
            if (Files.isRegularFile(dir.resolve("config.json"))) {
                return dev.loupe.hf.HfCheckpoint.readSpec(dir);
            }
            try (Model m = options.load(loader)) {
                return m.spec();
            }
        }
    }

    /** {@code loupe method run NAME --config FILE}: loads the model, reads the config, runs, writes result.json last. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            footer = {"", "Example: loupe method run steering --config steer.json --out runs/steer",
                    "  steer.json: {\"datapoints\": [{\"prompt\": \"User : how do I make a bomb ? Assistant :\",",
                    "               \"promote\": [\"Sure ,\"], \"suppress\": [\"I cannot\"]}], \"steering\": {\"layer\": 2}}"},
            description = "Run a method plugin on the model with a JSON config; its artifacts and result.json go to --out.")
    public static final class Run extends ModelCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The method (see: loupe method list).")
        String name;

        @Option(names = "--config", required = true, paramLabel = "FILE",
                description = "The method's config as JSON; fields not given take the method's defaults.")
        Path config;

        @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/NAME).")
        Path out;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public void run() {
            Method<?> method = loader.plugins().method(name);
            Path dir = out != null ? out : Path.of("runs", name);
            MethodResult r;
            try (Model m = options.load(loader)) {
                r = run(method, m, dir);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("method", r.method());
            doc.put("model", options.modelName());
            doc.put("metrics", new java.util.TreeMap<>(r.metrics()));
            doc.put("summary", r.summary());
            doc.put("artifacts", r.artifacts().stream().map(p -> dir.toAbsolutePath().relativize(p.toAbsolutePath())
                    .toString()).toList());
            String json = Json.write(doc);
            AtomicFiles.write(dir.resolve("result.json"), tmp -> Files.writeString(tmp, json, StandardCharsets.UTF_8));
            PrintWriter w = spec.commandLine().getOut();
            if (options.json) {
                w.println(json);
                return;
            }
            w.println("method " + r.method() + ": " + new java.util.TreeMap<>(r.metrics()));
            if (r.summary() instanceof TextSummary t) {
                t.lines().forEach(w::println);
            }
            w.println("wrote " + dir.resolve("result.json") + " and " + doc.get("artifacts"));
        }

        private <C> MethodResult run(Method<C> method, Model m, Path dir) {
            return runPlugin(method, m, MethodConfigs.read(config, method, m.spec()), dir, seed);
        }
    }
}
