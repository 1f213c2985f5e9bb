package dev.loupe.app.report;

import dev.loupe.api.io.AtomicFiles;
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
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (double[] p : points) {
            minX = Math.min(minX, p[0]);
            maxX = Math.max(maxX, p[0]);
            minY = Math.min(minY, p[1]);
            maxY = Math.max(maxY, p[1]);
        }
        double w = 560, h = 260, left = 60, top = 10;
        double spanX = Math.max(maxX - minX, 1e-9), spanY = Math.max(maxY - minY, 1e-9);
        StringBuilder path = new StringBuilder();
        for (double[] p : points) {
            path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                    left + (p[0] - minX) / spanX * w, top + h - (p[1] - minY) / spanY * h));
        }
        String svg = String.format(Locale.ROOT,
                "<svg role=\"img\" aria-label=\"%s\" width=\"640\" height=\"310\" viewBox=\"0 0 640 310\">"
                + "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>"
                + "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>"
                + "<path d=\"%s\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\"/>"
                + "<text x=\"%.0f\" y=\"300\" text-anchor=\"middle\">%s (%.0f to %.0f)</text>"
                + "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" text-anchor=\"middle\">%s</text>"
                + "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%.2f</text><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%.2f</text>"
                + "</svg>", escape(caption), left, top + h, left + w, top + h, left, top, left, top + h, path,
                left + w / 2, escape(xLabel), minX, maxX, top + h / 2, top + h / 2, escape(yLabel),
                left - 4, top + 10, maxY, left - 4, top + h, minY);
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

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
