package dev.tandem.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart as hand-written SVG: one or more series of (x, y) points on linear axes, e.g.
 * latency percentiles (y, ms) against offered load (x).
 */
public final class SvgChart {
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd", "#8c564b"};
    private static final int W = 720, H = 420, LEFT = 70, RIGHT = 170, TOP = 40, BOTTOM = 50;

    public record Point(double x, double y) {}

    public record Series(String name, List<Point> points) {
        public Series {
            points = List.copyOf(points);
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    public SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public SvgChart add(Series s) {
        series.add(s);
        return this;
    }

    public String render() {
        double maxX = 0, maxY = 0;
        for (Series s : series) {
            for (Point p : s.points()) {
                if (Double.isFinite(p.x())) maxX = Math.max(maxX, p.x());
                if (Double.isFinite(p.y())) maxY = Math.max(maxY, p.y());
            }
        }
        maxX = niceCeil(maxX);
        maxY = niceCeil(maxY);
        int plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, esc(title)));
        // Axes, ticks and grid.
        for (int i = 0; i <= 5; i++) {
            double fy = TOP + plotH - plotH * i / 5.0;
            double fx = LEFT + plotW * i / 5.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, fy, LEFT + plotW, fy));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, fy + 4, label(maxY * i / 5)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", fx, TOP + plotH + 18, label(maxX * i / 5)));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", LEFT, TOP, plotW, plotH));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", LEFT + plotW / 2, H - 10, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n", TOP + plotH / 2, esc(yLabel)));
        // Series and legend.
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            String colour = COLOURS[s % COLOURS.length];
            StringBuilder path = new StringBuilder();
            for (Point p : ser.points()) {
                if (!Double.isFinite(p.y())) continue;
                double px = LEFT + (maxX == 0 ? 0 : p.x() / maxX * plotW);
                double py = TOP + plotH - (maxY == 0 ? 0 : p.y() / maxY * plotH);
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py, colour));
            }
            if (path.length() > 0) {
                sb.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", path, colour));
            }
            int ly = TOP + 10 + s * 18;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n", W - RIGHT + 12, ly, W - RIGHT + 32, ly, colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", W - RIGHT + 38, ly + 4, esc(ser.name())));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double niceCeil(double v) {
        if (v <= 0) return 1;
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= v) return m * mag;
        }
        return 10 * mag;
    }

    private static String label(double v) {
        return v >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
