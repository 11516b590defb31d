package dev.tandem.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine figures of several runs side by side with their median: {@code RepeatSummary DIR...}
 * (each a results directory holding {@code throughput-t1.json} / {@code throughput-t2.json}).
 */
public final class RepeatSummary {
    private RepeatSummary() {}

    public static String table(List<Path> dirs) throws IOException {
        Map<String, double[]> figures = new TreeMap<>();
        for (int d = 0; d < dirs.size(); d++) {
            for (int t = 1; t <= 2; t++) {
                JsonNode tp = Figures.read(dirs.get(d), "throughput-t" + t);
                if (tp == null) continue;
                if (t == 1) {
                    put(figures, "0 bandwidth GB/s, 1 thread", d, dirs.size(), tp.path("bandwidthGBs1").asDouble(Double.NaN));
                    put(figures, "0 bandwidth GB/s, 2 threads", d, dirs.size(), tp.path("bandwidthGBs2").asDouble(Double.NaN));
                }
                Map<String, Double> one = new TreeMap<>();
                for (JsonNode r : tp.path("rows")) {
                    String dtype = r.path("dtype").asText("float32");
                    int batch = r.path("batch").asInt();
                    double tps = r.path("tokensPerSecond").asDouble();
                    put(figures, String.format("%d %s threads=%d batch=%02d tok/s", t, dtype, t, batch), d, dirs.size(), tps);
                    if (batch == 1) {
                        one.put(dtype, tps);
                        double bound = r.path("boundTokensPerSecond").asDouble();
                        put(figures, String.format("%d %s threads=%d batch=01 %% of bound", t, dtype, t), d, dirs.size(), 100 * tps / bound);
                    }
                    if (batch == 8 && one.containsKey(dtype)) {
                        put(figures, String.format("%d %s threads=%d batch 8 / batch 1", t, dtype, t), d, dirs.size(), tps / one.get(dtype));
                    }
                }
            }
        }
        List<String> header = new ArrayList<>(List.of("figure"));
        for (int d = 0; d < dirs.size(); d++) header.add("run " + (d + 1));
        header.add("median");
        List<List<String>> rows = new ArrayList<>();
        figures.forEach((name, values) -> {
            List<String> row = new ArrayList<>(List.of(name.substring(2)));
            for (double v : values) row.add(Markdown.num(v, 2));
            row.add(Markdown.num(median(values), 2));
            rows.add(row);
        });
        return "### Engine figures over " + dirs.size() + " runs\n\n" + Markdown.table(header, rows);
    }

    private static void put(Map<String, double[]> m, String name, int run, int runs, double v) {
        m.computeIfAbsent(name, k -> {
            double[] a = new double[runs];
            Arrays.fill(a, Double.NaN);
            return a;
        })[run] = v;
    }

    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    public static void main(String[] args) throws IOException {
        System.out.print(table(Arrays.stream(args).map(Path::of).toList()));
    }
}
