package dev.loupe.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.io.AtomicFiles;
import dev.loupe.json.LoupeJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A sweep's results as one table: {@code sweep.json} (the rows, snake_case, SAELens's metric names) and
 * {@code sweep.html} (a self-contained page), the best dictionary of each layer marked by one metric.
 */
public final class SweepTable {
    /** The metrics a sweep can rank by, each oriented so that higher is better. */
    static final Map<String, ToDoubleFunction<SweepRow>> METRICS = Map.of(
            "ce_loss_score", SweepRow::ceLossScore,
            "explained_variance", SweepRow::explainedVariance,
            "mse", r -> -r.mse(),
            "kl_div_with_sae", r -> -r.klDivWithSae());
    private static final ObjectMapper JSON = LoupeJson.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

    private SweepTable() {}

    /** The rows with the best of each layer marked, in the sweep's order. */
    static List<SweepRow> markBest(List<SweepRow> rows, String bestBy) {
        ToDoubleFunction<SweepRow> score = METRICS.get(bestBy);
        Map<Integer, SweepRow> best = new java.util.TreeMap<>();
        for (SweepRow r : rows) {
            best.merge(r.layer(), r, (a, b) -> score.applyAsDouble(b) > score.applyAsDouble(a) ? b : a);
        }
        List<SweepRow> out = new ArrayList<>();
        for (SweepRow r : rows) {
            out.add(r.markedBest(best.get(r.layer()) == r));
        }
        return out;
    }

    /** Writes {@code sweep.json} and {@code sweep.html} into {@code dir}, each atomically; returns the marked rows. */
    static List<SweepRow> write(Path dir, List<SweepRow> rows, String bestBy) {
        List<SweepRow> marked = markBest(rows, bestBy);
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("best_by", bestBy);
        doc.put("dictionaries", marked);
        AtomicFiles.write(dir.resolve("sweep.html"), tmp -> Files.writeString(tmp, html(marked, bestBy),
                StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve("sweep.json"), tmp -> JSON.writeValue(tmp.toFile(), doc));
        return marked;
    }

    /** Reads the rows of a {@code sweep.json}. */
    static List<SweepRow> read(Path file) throws java.io.IOException {
        var node = JSON.readTree(file.toFile()).path("dictionaries");
        return List.of(JSON.treeToValue(node, SweepRow[].class));
    }

    static String html(List<SweepRow> rows, String bestBy) {
        StringBuilder b = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Loupe sweep"
                + "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}"
                + "tr.best{background:#e6f4ea;font-weight:bold}</style></head><body><h1>Dictionary sweep</h1>"
                + "<p>Best of each layer (bold) by <code>" + bestBy + "</code>; metrics on held-out text.</p><table>"
                + "<tr><th>dictionary</th><th>layer</th><th>hook_in → hook_out</th><th>d_sae</th><th>λ</th>"
                + "<th>L0</th><th>mse</th><th>explained variance</th><th>CE loss score</th><th>KL</th>"
                + "<th>dead</th></tr>");
        List<SweepRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(SweepRow::layer));
        for (SweepRow r : sorted) {
            b.append(String.format(Locale.ROOT, "<tr%s><td>%s</td><td>%d</td><td>%s → %s</td><td>%d</td><td>%s</td>"
                            + "<td>%.2f</td><td>%.4g</td><td>%.4f</td><td>%.4f</td><td>%.4g</td><td>%.3f</td></tr>",
                    r.best() ? " class=\"best\"" : "", escape(r.name()), r.layer(), escape(r.hookIn()),
                    escape(r.hookOut()), r.dSae(), r.l1(), r.l0(), r.mse(), r.explainedVariance(), r.ceLossScore(),
                    r.klDivWithSae(), r.deadFraction()));
        }
        return b.append("</table></body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
