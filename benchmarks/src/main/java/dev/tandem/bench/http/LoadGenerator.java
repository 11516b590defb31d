package dev.tandem.bench.http;

import dev.tandem.bench.Args;
import dev.tandem.bench.report.Figures;
import dev.tandem.bench.report.Markdown;
import dev.tandem.bench.report.SvgChart;
import dev.tandem.bench.report.SvgChart.Point;
import dev.tandem.bench.report.SvgChart.Series;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Load generator for a running Tandem (loopback). Modes:
 * <ul>
 *   <li>{@code open}: one step per rate in {@code --rates}, requests at that rate whatever the server
 *       does;</li>
 *   <li>{@code closed}: one step per client count in {@code --concurrency};</li>
 *   <li>{@code soak}: open loop at {@code --rate} for {@code --minutes} of schedule, in windows,
 *       watching errors, the server's memory ({@code --server-pid}) and its queue figures in /metrics
 *       (read with {@code --metrics-key}, default {@code $TANDEM_MASTER_KEY}, unless the server opens it)
 *       (each window's drain and probes add to the wall time, never take from the load).</li>
 * </ul>
 * {@code --mix} lists the requests sent in turn as {@code dialect:model:stream|json:maxTokens}, e.g.
 * {@code openai:tandem-demo:stream:16,anthropic:claude-sonnet-4-5:json:16}. Every step is bounded by
 * {@code --duration} and {@code --max-requests}, after a discarded {@code --warmup} (default 2 s, 4 clients). Prints a table and, with {@code --out DIR}, writes it
 * as markdown with an SVG chart of latency against load.
 */
public final class LoadGenerator {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        URI url = URI.create(args.get("url", "http://127.0.0.1:8080"));
        List<RequestSpec> mix = parseMix(args.get("mix", "openai:tandem-demo:stream:16"), args.get("prompt", "Write a haiku about the sea."));
        String mode = args.get("mode", "closed");
        Path out = args.has("out") ? Path.of(args.get("out", ".")) : null;
        String name = args.get("name", "load-" + mode);
        try (HttpDriver driver = new HttpDriver(url, args.get("api-key", null), args.duration("timeout", Duration.ofSeconds(60)))) {
            LoadRunner runner = new LoadRunner(driver, mix);
            String label = mixLabel(mix);
            Duration step = args.duration("duration", Duration.ofSeconds(10));
            long maxRequests = Long.parseLong(args.get("max-requests", "100000"));
            Duration warmup = args.duration("warmup", Duration.ofSeconds(2));
            if (!warmup.isZero()) { // JIT and connections warm before the first measured step; results discarded
                runner.closedLoop(label, 4, warmup, 10_000);
            }
            String report;
            switch (mode) {
                case "open" -> {
                    List<LoadResult> rows = new ArrayList<>();
                    for (String rate : args.list("rates", "10,50,100")) {
                        rows.add(runner.openLoop(label, Double.parseDouble(rate), step, maxRequests, args.getInt("max-in-flight", 512)));
                        System.out.print(Markdown.loadTable(rows.subList(rows.size() - 1, rows.size())));
                    }
                    report = loadReport("Open loop", rows, "offered load (req/s)", out, name);
                }
                case "closed" -> {
                    List<LoadResult> rows = new ArrayList<>();
                    for (String c : args.list("concurrency", "1,8,32")) {
                        rows.add(runner.closedLoop(label, Integer.parseInt(c), step, maxRequests));
                        System.out.print(Markdown.loadTable(rows.subList(rows.size() - 1, rows.size())));
                    }
                    report = loadReport("Closed loop", rows, "concurrent clients", out, name);
                }
                case "soak" -> {
                    Map<String, Object> figures = new LinkedHashMap<>();
                    report = Soak.run(runner, new ServerProbe(url, args.getInt("server-pid", 0),
                                    args.get("metrics-key", System.getenv("TANDEM_MASTER_KEY"))), label,
                            args.getDouble("rate", 20), args.duration("minutes", Duration.ofMinutes(1)),
                            args.duration("window", Duration.ofSeconds(15)), args.getInt("max-waiting", -1), figures);
                    if (out != null) {
                        Figures.write(out, name, figures);
                    }
                }
                default -> throw new IllegalArgumentException("--mode must be open, closed or soak");
            }
            System.out.println(report);
            if (out != null) {
                Files.createDirectories(out);
                Files.writeString(out.resolve(name + ".md"), report);
            }
        }
    }

    /** The markdown section of an open or closed run, and its chart beside it. */
    public static String loadReport(String title, List<LoadResult> rows, String xLabel, Path out, String name) throws Exception {
        StringBuilder sb = new StringBuilder("### " + title + ": " + (rows.isEmpty() ? "" : rows.get(0).label()) + "\n\n");
        sb.append(Markdown.loadTable(rows));
        if (out != null && !rows.isEmpty()) {
            Files.createDirectories(out);
            Files.writeString(out.resolve(name + ".svg"), chart(title + " — " + rows.get(0).label(), xLabel, rows).render());
            sb.append("\n![").append(title).append("](").append(name).append(".svg)\n");
        }
        return sb.toString();
    }

    public static SvgChart chart(String title, String xLabel, List<LoadResult> rows) {
        SvgChart chart = new SvgChart(title, xLabel, "latency (ms)");
        chart.add(series("p50", rows, r -> r.latency().p50()));
        chart.add(series("p95", rows, r -> r.latency().p95()));
        chart.add(series("p99", rows, r -> r.latency().p99()));
        if (rows.stream().anyMatch(r -> r.ttft().count() > 0 && r.ttft().p50() < r.latency().p50())) {
            chart.add(series("TTFT p50", rows, r -> r.ttft().p50()));
            chart.add(series("TTFT p99", rows, r -> r.ttft().p99()));
        }
        return chart;
    }

    private static Series series(String name, List<LoadResult> rows, Function<LoadResult, Double> y) {
        return new Series(name, rows.stream().map(r -> new Point(r.offeredValue(), y.apply(r))).toList());
    }

    /** {@code dialect:model:stream|json[:maxTokens]}, comma-separated; the model may itself hold colons. */
    public static List<RequestSpec> parseMix(String mix, String prompt) {
        List<RequestSpec> out = new ArrayList<>();
        for (String entry : mix.split(",")) {
            String[] p = entry.trim().split(":");
            if (p.length < 3) {
                throw new IllegalArgumentException("mix entry must be dialect:model:stream|json[:maxTokens]: " + entry);
            }
            boolean hasTokens = p.length >= 4 && p[p.length - 1].matches("\\d+");
            int modeIndex = hasTokens ? p.length - 2 : p.length - 1;
            String model = String.join(":", java.util.Arrays.copyOfRange(p, 1, modeIndex));
            RequestSpec.Dialect dialect = RequestSpec.Dialect.valueOf(p[0].toUpperCase());
            boolean stream = switch (p[modeIndex]) {
                case "stream" -> true;
                case "json" -> false;
                default -> throw new IllegalArgumentException("stream or json expected in: " + entry);
            };
            out.add(new RequestSpec(dialect, model, stream, hasTokens ? Integer.parseInt(p[p.length - 1]) : 16, prompt));
        }
        return out;
    }

    static String mixLabel(List<RequestSpec> mix) {
        return mix.stream().map(RequestSpec::label).distinct().reduce((a, b) -> a + " + " + b).orElse("");
    }

    /**
     * Soak: windows of open-loop load with the server watched between them. The windows are counted
     * from the schedule ({@code total} cut into {@code window}s), not from the clock: the time spent
     * waiting for a window's last answers and probing the server does not eat into the load offered,
     * so a soak always offers {@code rate × total} requests however busy the machine is.
     */
    static final class Soak {
        static String run(LoadRunner runner, ServerProbe probe, String label, double rate, Duration total,
                          Duration window, int maxWaiting, Map<String, Object> figures) {
            if (window.isZero() || window.isNegative()) {
                throw new IllegalArgumentException("--window must be positive, was " + window);
            }
            double rssStart = probe.rssMiB();
            List<LoadResult> rows = new ArrayList<>();
            List<String> memory = new ArrayList<>();
            double maxQueue = -1;
            String queueName = null;
            for (Duration left = total; left.compareTo(Duration.ZERO) > 0; left = left.minus(window)) {
                Duration d = left.compareTo(window) < 0 ? left : window;
                rows.add(runner.openLoop(label, rate, d, Long.MAX_VALUE, 1024));
                memory.add(Markdown.num(probe.rssMiB(), 0));
                for (Map.Entry<String, Double> m : probe.queueMetrics().entrySet()) {
                    if (m.getValue() > maxQueue && (m.getKey().contains("queue") || m.getKey().contains("waiting"))) {
                        maxQueue = m.getValue();
                        queueName = m.getKey();
                    }
                }
                System.out.print(Markdown.loadTable(rows.subList(rows.size() - 1, rows.size())));
            }
            double rssEnd = probe.rssMiB();
            long errors = rows.stream().mapToLong(LoadResult::errors).sum();
            long ok = rows.stream().mapToLong(LoadResult::ok).sum();
            figures.put("requests", ok + errors);
            figures.put("errors", errors);
            figures.put("rssStartMiB", rssStart);
            figures.put("rssFirstWindowMiB", memory.isEmpty() ? -1 : Double.parseDouble(memory.get(0).replace("–", "-1")));
            figures.put("rssEndMiB", rssEnd);
            figures.put("maxQueue", maxQueue);
            figures.put("maxWaiting", maxWaiting);
            StringBuilder sb = new StringBuilder("### Soak: " + label + " at " + rate + " req/s for " + total.toSeconds() + " s\n\n");
            sb.append(Markdown.loadTable(rows));
            sb.append("\nServer RSS (MiB) after each window: ").append(String.join(", ", memory)).append("\n\n");
            sb.append("| check | result | target |\n| --- | --- | --- |\n");
            sb.append("| errors | ").append(errors).append(" of ").append(ok + errors).append(" | 0 |\n");
            sb.append("| server RSS start → end | ").append(Markdown.num(rssStart, 0)).append(" → ").append(Markdown.num(rssEnd, 0))
                    .append(" MiB (first window ").append(memory.isEmpty() ? "–" : memory.get(0)).append(") | flat |\n");
            sb.append("| max queue seen | ").append(queueName == null ? "not exposed" : Markdown.num(maxQueue, 0) + " (" + queueName + ")")
                    .append(" | ≤ ").append(maxWaiting < 0 ? "configured bound" : Integer.toString(maxWaiting)).append(" |\n");
            return sb.toString();
        }
    }
}
