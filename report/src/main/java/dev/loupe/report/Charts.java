package dev.loupe.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Self-contained SVG charts (no scripts, no external files) for {@link HtmlReport}. */
public final class Charts {
    private static final String[] COLOURS = {"#c0392b", "#2c7fb8", "#27ae60", "#8e44ad", "#e67e22", "#7f8c8d"};
    private static final double W = 560;
    private static final double H = 260;
    private static final double LEFT = 60;
    private static final double TOP = 10;

    private Charts() {}

    /** One polyline per series, with a legend; {@code logX} puts x on a log₂ axis. */
    public static String lines(String label, String xLabel, String yLabel, Map<String, List<double[]>> series,
                               boolean logX) {
        List<double[]> all = new ArrayList<>();
        series.values().forEach(all::addAll);
        Frame f = Frame.of(all, logX);
        StringBuilder svg = new StringBuilder(open(label, f, xLabel, yLabel));
        int i = 0;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : s.getValue()) {
                path.append(path.length() == 0 ? "M" : " L").append(f.point(p));
            }
            svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"/>",
                    path, colour));
            svg.append(legend(i, colour, s.getKey()));
            i++;
        }
        return svg.append("</svg>").toString();
    }

    /** Points, with the line y = x dashed when {@code diagonal}. */
    public static String scatter(String label, String xLabel, String yLabel, List<double[]> points, boolean diagonal) {
        Frame f = Frame.of(points, false);
        StringBuilder svg = new StringBuilder(open(label, f, xLabel, yLabel));
        if (diagonal) {
            double lo = Math.max(f.minX, f.minY);
            double hi = Math.min(f.maxX, f.maxY);
            svg.append(String.format(Locale.ROOT, "<path d=\"M%s L%s\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>",
                    f.point(new double[] {lo, lo}), f.point(new double[] {hi, hi})));
        }
        for (double[] p : points) {
            String[] xy = f.point(p).split(" ");
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>", xy[0], xy[1],
                    COLOURS[1]));
        }
        return svg.append("</svg>").toString();
    }

    private static String open(String label, Frame f, String xLabel, String yLabel) {
        return String.format(Locale.ROOT,
                "<svg role=\"img\" aria-label=\"%s\" width=\"640\" height=\"310\" viewBox=\"0 0 640 310\">"
                + "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>"
                + "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>"
                + "<text x=\"%.0f\" y=\"300\" text-anchor=\"middle\">%s (%s to %s)</text>"
                + "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" text-anchor=\"middle\">%s</text>"
                + "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%.2f</text>"
                + "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%.2f</text>",
                HtmlReport.escape(label), LEFT, TOP + H, LEFT + W, TOP + H, LEFT, TOP, LEFT, TOP + H, LEFT + W / 2,
                HtmlReport.escape(xLabel), number(f.logX ? Math.pow(2, f.minX) : f.minX),
                number(f.logX ? Math.pow(2, f.maxX) : f.maxX), TOP + H / 2, TOP + H / 2, HtmlReport.escape(yLabel),
                LEFT - 4, TOP + 10, f.maxY, LEFT - 4, TOP + H, f.minY);
    }

    private static String legend(int i, String colour, String name) {
        double y = TOP + 14 + 16 * i;
        return String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
                + "stroke-width=\"3\"/><text x=\"%.0f\" y=\"%.0f\">%s</text>", LEFT + W - 190, y - 4, LEFT + W - 170,
                y - 4, colour, LEFT + W - 164, y, HtmlReport.escape(name));
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Data bounds and the mapping into the plot area. */
    private record Frame(double minX, double maxX, double minY, double maxY, boolean logX) {
        static Frame of(List<double[]> points, boolean logX) {
            double minX = Double.MAX_VALUE;
            double maxX = -Double.MAX_VALUE;
            double minY = Double.MAX_VALUE;
            double maxY = -Double.MAX_VALUE;
            for (double[] p : points) {
                double x = logX ? log2(p[0]) : p[0];
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
            return new Frame(minX, maxX, minY, maxY, logX);
        }

        String point(double[] p) {
            double x = logX ? log2(p[0]) : p[0];
            double spanX = Math.max(maxX - minX, 1e-9);
            double spanY = Math.max(maxY - minY, 1e-9);
            return String.format(Locale.ROOT, "%.1f %.1f", LEFT + (x - minX) / spanX * W,
                    TOP + H - (p[1] - minY) / spanY * H);
        }

        private static double log2(double v) {
            return Math.log(v) / Math.log(2);
        }
    }
}
