package dev.loupe.report;

import dev.loupe.io.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched) built from sections: headings,
 * paragraphs, tables, bar charts and line charts.
 */
public final class HtmlReport {
    private final StringBuilder body = new StringBuilder();
    private final String title;

    public HtmlReport(String title) {
        this.title = title;
        body.append("<h1>").append(escape(title)).append("</h1>\n");
    }

    public HtmlReport heading(String text) {
        body.append("<h2>").append(escape(text)).append("</h2>\n");
        return this;
    }

    /** Another page's content as a section of this one (its title becomes a heading, its headings subheadings). */
    public HtmlReport section(HtmlReport other) {
        body.append(other.body.toString().replace("<h2>", "<h3>").replace("</h2>", "</h3>").replace("<h1>", "<h2>")
                .replace("</h1>", "</h2>"));
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A table; cells are shown as text (numbers with 3 decimals). */
    public HtmlReport table(List<String> header, List<List<Object>> rows) {
        body.append("<table><tr>");
        header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<Object> row : rows) {
            body.append("<tr>");
            row.forEach(c -> body.append("<td>").append(escape(format(c))).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** Horizontal bars for values in [0, 1]. */
    public HtmlReport bars(String caption, Map<String, Double> values) {
        int rowH = 26;
        int height = rowH * values.size() + 30;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg role=\"img\" aria-label=\"%s\" width=\"640\" height=\"%d\" viewBox=\"0 0 640 %d\">", escape(caption),
                height, height));
        int y = 10;
        for (Map.Entry<String, Double> e : values.entrySet()) {
            double v = Math.max(0, Math.min(1, e.getValue()));
            svg.append(String.format(Locale.ROOT, "<text x=\"150\" y=\"%d\" text-anchor=\"end\">%s</text>", y + 16,
                    escape(e.getKey())));
            svg.append(String.format(Locale.ROOT, "<rect x=\"160\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"#4a7ab5\"/>",
                    y + 2, v * 400));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.3f</text>", 166 + v * 400, y + 16,
                    e.getValue()));
            y += rowH;
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"160\" y1=\"%d\" x2=\"560\" y2=\"%d\" stroke=\"#999\"/>", y + 4, y + 4));
        body.append("<figure>").append(svg).append("</svg><figcaption>").append(escape(caption))
                .append("</figcaption></figure>\n");
        return this;
    }

    /** A line through (x, y) points with labelled axes. */
    public HtmlReport line(String caption, String xLabel, String yLabel, List<double[]> points) {
        return figure(Charts.lines(caption, xLabel, yLabel, Map.of(yLabel, points), false), caption);
    }

    /** An SVG from {@link Charts} with its caption. */
    public HtmlReport figure(String svg, String caption) {
        body.append("<figure>").append(svg).append("<figcaption>").append(escape(caption)).append("</figcaption></figure>\n");
        return this;
    }

    public String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n"
                + "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
                + "svg text{font-size:12px;font-family:sans-serif}figcaption{color:#555;font-size:90%}</style>\n"
                + "</head><body>\n" + body + "</body></html>\n";
    }

    /** Writes the page through {@link AtomicFiles}. */
    public void write(Path file) {
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, html(), StandardCharsets.UTF_8));
    }

    private static String format(Object c) {
        return c instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : String.valueOf(c);
    }

    /** {@code s} with {@code & < > "} as HTML entities, for text and attribute values. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
