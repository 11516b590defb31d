package dev.tandem.bench.gateway;

import dev.tandem.bench.Args;
import dev.tandem.bench.http.HttpDriver;
import dev.tandem.bench.http.LoadGenerator;
import dev.tandem.bench.http.LoadResult;
import dev.tandem.bench.http.LoadRunner;
import dev.tandem.bench.http.RequestSpec;
import dev.tandem.bench.report.Figures;
import dev.tandem.bench.report.Markdown;
import dev.tandem.bench.stats.Percentiles;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Tandem's added latency as a gateway: the same request sent open-loop at {@code --rate} to a
 * loopback fake upstream directly, then to Tandem (which forwards it to that fake through its remote
 * backend). Both paths are driven in one interleaved open loop, each at the rate. Added latency =
 * each percentile through Tandem minus the same percentile direct.
 *
 * <pre>
 * GatewayOverhead --direct http://127.0.0.1:F --tandem http://127.0.0.1:T [--model gpt-4o]
 *                 [--rate 200] [--duration 10s] [--warmup 3s] [--ramp 400,800] [--api-key K] [--out DIR]
 * </pre>
 */
public final class GatewayOverhead {

    public record Comparison(String requests, LoadResult direct, LoadResult via) {
        Percentiles addedLatency() {
            return via.latency().minus(direct.latency());
        }

        Percentiles addedTtft() {
            return via.ttft().minus(direct.ttft());
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        URI direct = URI.create(args.get("direct", "http://127.0.0.1:9001"));
        URI tandem = URI.create(args.get("tandem", "http://127.0.0.1:8080"));
        String model = args.get("model", "gpt-4o");
        double rate = args.getDouble("rate", 200);
        Duration duration = args.duration("duration", Duration.ofSeconds(10));
        Duration warmup = args.duration("warmup", Duration.ofSeconds(3));
        Duration timeout = Duration.ofSeconds(30);
        String prompt = "Say hello.";
        List<Comparison> rows = new ArrayList<>();
        List<LoadResult> ramp = new ArrayList<>();
        try (HttpDriver toFake = new HttpDriver(direct, args.get("direct-key", FakeUpstreams.KEY), timeout);
             HttpDriver toTandem = new HttpDriver(tandem, args.get("api-key", null), timeout)) {
            List<RequestSpec> specs = List.of(new RequestSpec(RequestSpec.Dialect.OPENAI, model, false, 16, prompt),
                    new RequestSpec(RequestSpec.Dialect.OPENAI, model, true, 16, prompt));
            // Warm both paths before measuring either: a fresh path runs interpreted until the JIT has compiled
            // it, and the figures are meant for a server that has been up for a while
            for (RequestSpec spec : specs) {
                paired(toFake, toTandem, spec, rate, warmup);
            }
            for (RequestSpec spec : specs) {
                LoadResult[] pair = paired(toFake, toTandem, spec, rate, duration);
                rows.add(new Comparison(spec.label(), pair[0], pair[1]));
                System.out.print(Markdown.loadTable(List.of(pair)));
            }
            if (args.has("ramp")) {
                LoadRunner gateway = new LoadRunner(toTandem,
                        List.of(new RequestSpec(RequestSpec.Dialect.OPENAI, model, false, 16, prompt)));
                for (String r : args.list("ramp", "")) {
                    ramp.add(gateway.openLoop("through Tandem", Double.parseDouble(r), duration, Long.MAX_VALUE, 2048));
                    System.out.print(Markdown.loadTable(ramp.subList(ramp.size() - 1, ramp.size())));
                }
            }
        }
        String report = report(rows, ramp, rate, args.has("out") ? Path.of(args.get("out", ".")) : null);
        System.out.println(report);
        if (args.has("out")) {
            Path out = Path.of(args.get("out", "."));
            Files.createDirectories(out);
            Files.writeString(out.resolve("gateway.md"), report);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("rate", rate);
            for (Comparison c : rows) {
                String k = c.requests().contains("/stream/") ? "stream" : "json";
                Percentiles added = c.addedLatency();
                f.put(k + "AddedP50", added.p50());
                f.put(k + "AddedP95", added.p95());
                f.put(k + "AddedP99", added.p99());
                f.put(k + "SustainedRps", c.via().requestsPerSecond());
                f.put(k + "Errors", c.via().errors());
            }
            Figures.write(out, "gateway", f);
        }
    }

    /**
     * Direct and through-Tandem requests interleaved in one open loop (each path at {@code rate}),
     * so both see the same machine: on a shared 2-core box, separate phases would compare noise.
     */
    static LoadResult[] paired(HttpDriver direct, HttpDriver tandem, RequestSpec spec, double rate, Duration duration) {
        LoadRunner.Tally[] tallies = {new LoadRunner.Tally(), new LoadRunner.Tally()};
        HttpDriver[] drivers = {direct, tandem};
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long interval = (long) (1e9 / (2 * rate));
        long start = System.nanoTime();
        long sent = 0;
        for (long i = 0; ; i++) {
            long due = start + i * interval;
            if (due - start >= duration.toNanos()) {
                break;
            }
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int path = (int) (i % 2);
            sent++;
            pending.add(drivers[path].send(spec, due).whenComplete(tallies[path]::add));
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        String offered = String.format("%.0f req/s", rate);
        return new LoadResult[] {
            tallies[0].result("direct", offered, rate, seconds, (sent + 1) / 2),
            tallies[1].result("through Tandem", offered, rate, seconds, sent / 2)};
    }

    static String report(List<Comparison> rows, List<LoadResult> ramp, double rate, Path out) throws Exception {
        StringBuilder sb = new StringBuilder("### Gateway overhead: fake upstream direct vs through Tandem's remote backend (loopback)\n\n");
        List<List<String>> cells = new ArrayList<>();
        for (Comparison c : rows) {
            Percentiles added = c.addedLatency();
            cells.add(List.of(c.requests(), Markdown.num(rate, 0) + " req/s",
                    Markdown.pct(c.direct().latency()), Markdown.pct(c.via().latency()),
                    Markdown.num(added.p50(), 2) + " / " + Markdown.num(added.p95(), 2) + " / " + Markdown.num(added.p99(), 2),
                    Markdown.num(c.via().requestsPerSecond(), 1),
                    c.direct().errors() + " / " + c.via().errors(),
                    c.via().outcomes().toString()));
        }
        sb.append(Markdown.table(List.of("requests", "offered", "direct p50/p95/p99 ms", "through Tandem p50/p95/p99 ms",
                "added p50/p95/p99 ms", "sustained req/s", "errors direct / Tandem", "Tandem outcomes"), cells));
        if (!rows.isEmpty()) {
            Percentiles added = rows.get(0).addedLatency();
            sb.append(String.format("%nTarget at %.0f req/s: added P50 < 1 ms (%s: %.2f ms), P99 < 5 ms (%s: %.2f ms). "
                            + "Added latency is the difference of the percentiles, open-loop latency counted from each request's scheduled time.%n",
                    rate, added.p50() < 1 ? "met" : "not met", added.p50(), added.p99() < 5 ? "met" : "not met", added.p99()));
        }
        if (!ramp.isEmpty()) {
            sb.append("\nRamp through Tandem (non-streaming):\n\n").append(Markdown.loadTable(ramp));
            sb.append(LoadGenerator.loadReport("Gateway ramp", ramp, "offered load (req/s)", out, "gateway-ramp")
                    .lines().filter(l -> l.startsWith("![")).findFirst().map(l -> "\n" + l + "\n").orElse(""));
        }
        return sb.toString();
    }
}
