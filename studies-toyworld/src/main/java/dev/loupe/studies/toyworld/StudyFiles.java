package dev.loupe.studies.toyworld;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.api.spi.MethodContext;
import dev.loupe.io.AtomicFiles;
import dev.loupe.json.LoupeJson;
import dev.loupe.report.HtmlReport;
import java.nio.file.Path;
import java.util.List;

/** The files a study writes into its output folder, each to a temporary sibling moved into place. */
final class StudyFiles {
    private static final ObjectMapper JSON = LoupeJson.pretty();

    private StudyFiles() {}

    /** {@code NAME.json} (the study's result) and {@code NAME.html} (its page). */
    static List<Path> write(MethodContext context, String name, Object result, HtmlReport page) {
        Path json = json(context.outputDir().resolve(name + ".json"), result);
        Path html = context.outputDir().resolve(name + ".html");
        page.write(html);
        return List.of(json, html);
    }

    static Path json(Path file, Object value) {
        AtomicFiles.write(file, tmp -> JSON.writeValue(tmp.toFile(), value));
        return file;
    }

    /** {@code value}, or a one-line error naming the method's field when it is below 1. */
    static int positive(String method, String field, int value) {
        if (value < 1) {
            throw new LoupeException(method + ": " + field + " must be at least 1 (got " + value + ")");
        }
        return value;
    }
}
