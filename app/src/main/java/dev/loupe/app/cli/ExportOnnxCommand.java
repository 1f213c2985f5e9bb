package dev.loupe.app.cli;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a model as an ONNX file in which every hook point is a named graph output. */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
        footer = {"", "Example: loupe export-onnx --out build/embedded/model.onnx",
                "         loupe run --engine onnx --model build/embedded/model.onnx --prompt \"Alice gave\""},
        description = "Export the model to ONNX (every TransformerLens hook point a named output, the spec in the "
                + "metadata); copies the tokenizer files beside it. Loads the model on engine onnx unless --engine "
                + "says otherwise.")
public final class ExportOnnxCommand extends ModelCommand {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The .onnx file to write.")
    Path out;

    private static final String FORMAT_ENGINE = "onnx";
    private static final List<String> TOKENIZER_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json");

    @Override
    public void run() {
        if (!out.getFileName().toString().endsWith(".onnx")) {
            throw new LoupeException("--out " + out + ": expected a file name ending in .onnx");
        }
        Path source = dev.loupe.app.ModelLoader.directory(options.model);
        String engine = options.engine == null ? FORMAT_ENGINE : options.engine;
        Map<String, Object> doc = new LinkedHashMap<>();
        try (Model m = loader.load(options.model, engine, options.device, options.processing)) {
            loader.plugins().engine(FORMAT_ENGINE).export(m, out);
            doc.put("model", options.modelName());
            doc.put("out", out.toString());
            doc.put("hook_outputs", m.spec().hookPoints().size());
        }
        doc.put("bytes", size(out));
        Path data = externalData(out);
        if (data != null) {
            doc.put("external_data", data.toString());
            doc.put("external_data_bytes", size(data));
        }
        if (Files.isDirectory(source)) {
            List<String> copied = new ArrayList<>();
            for (String name : TOKENIZER_FILES) {
                Path from = source.resolve(name);
                Path to = out.toAbsolutePath().resolveSibling(name);
                if (Files.isRegularFile(from) && !isSameFile(from, to)) {
                    AtomicFiles.write(to, tmp -> Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING));
                    copied.add(name);
                }
            }
            doc.put("copied", copied);
        }
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(Json.write(doc));
            return;
        }
        w.printf("wrote %s (%.1f MB, logits + %d hook outputs)%n", out, (Long) doc.get("bytes") / 1e6,
                (Integer) doc.get("hook_outputs"));
        if (doc.containsKey("external_data")) {
            w.printf("  weights in %s (%.1f MB, ONNX external data; keep it beside the .onnx file)%n",
                    doc.get("external_data"), (Long) doc.get("external_data_bytes") / 1e6);
        }
        if (doc.get("copied") instanceof List<?> copied && !copied.isEmpty()) {
            w.println("copied " + String.join(", ", copied.stream().map(Object::toString).toList()) + " beside it");
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isSameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The export's external-data file ({@code FILE.onnx.RUN.data}, the one left after the export), or null. */
    private static Path externalData(Path onnx) {
        String name = onnx.getFileName().toString();
        try (var siblings = Files.newDirectoryStream(onnx.toAbsolutePath().getParent(), name + ".*.data")) {
            for (Path p : siblings) {
                if (p.getFileName().toString().matches(java.util.regex.Pattern.quote(name) + "\\.[0-9a-f]+\\.data")) {
                    return onnx.resolveSibling(p.getFileName());
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(onnx + ": cannot list its folder (" + e.getMessage() + ")", e);
        }
    }
}
