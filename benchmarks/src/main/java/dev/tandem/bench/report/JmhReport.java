package dev.tandem.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns JMH's JSON results (Mode.SampleTime) into a markdown table of p50 / p95 / p99, read from
 * {@code primaryMetric.scorePercentiles}. {@code java ... JmhReport results.json [title]} prints it.
 */
public final class JmhReport {
    private JmhReport() {}

    public record Row(String benchmark, String params, String mode, long samples, double p50, double p95, double p99, String unit) {}

    public static List<Row> read(Path json) throws IOException {
        List<Row> rows = new ArrayList<>();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        for (JsonNode b : root) {
            String name = b.path("benchmark").asText();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1); // Class.method
            StringBuilder params = new StringBuilder();
            for (Iterator<Map.Entry<String, JsonNode>> it = b.path("params").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                params.append(params.length() == 0 ? "" : " ").append(p.getKey()).append('=').append(p.getValue().asText());
            }
            JsonNode m = b.path("primaryMetric");
            JsonNode pct = m.path("scorePercentiles");
            rows.add(new Row(name, params.toString(), b.path("mode").asText(), samples(m),
                    pct.path("50.0").asDouble(Double.NaN), pct.path("95.0").asDouble(Double.NaN),
                    pct.path("99.0").asDouble(Double.NaN), m.path("scoreUnit").asText()));
        }
        return rows;
    }

    /** Sample count from the raw histogram JMH writes for SampleTime; 0 when absent. */
    private static long samples(JsonNode metric) {
        long n = 0;
        for (JsonNode fork : metric.path("rawDataHistogram")) {
            for (JsonNode iteration : fork) {
                for (JsonNode bucket : iteration) {
                    n += bucket.path(1).asLong();
                }
            }
        }
        return n;
    }

    public static String markdown(List<Row> rows) {
        List<List<String>> cells = new ArrayList<>();
        for (Row r : rows) {
            int d = r.p99() < 10 ? 3 : 1;
            cells.add(List.of(r.benchmark(), r.params().isEmpty() ? "–" : r.params(), Long.toString(r.samples()),
                    Markdown.num(r.p50(), d), Markdown.num(r.p95(), d), Markdown.num(r.p99(), d), r.unit()));
        }
        return Markdown.table(List.of("benchmark", "params", "samples", "p50", "p95", "p99", "unit"), cells);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: JmhReport <jmh-result.json> [title]");
            System.exit(2);
        }
        Path json = Path.of(args[0]);
        if (!Files.exists(json)) {
            System.out.println("(no JMH results: " + json + ")");
            return;
        }
        if (args.length > 1) {
            System.out.println("### " + args[1] + "\n");
        }
        System.out.print(markdown(read(json)));
    }
}
