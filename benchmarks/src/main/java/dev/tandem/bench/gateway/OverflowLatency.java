package dev.tandem.bench.gateway;

import dev.tandem.bench.Args;
import dev.tandem.bench.http.HttpDriver;
import dev.tandem.bench.http.LoadRunner;
import dev.tandem.bench.http.Outcome;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The cost of the overflow decision: the local engine is kept saturated by long local streams, and
 * probe requests that Tandem sends on to the fake remote (route {@code saturated}) are timed to their
 * first byte and first token; the same probes sent to the fake directly give its own times. Added =
 * the difference of the percentiles.
 *
 * <pre>
 * OverflowLatency --tandem URL --direct URL --local-model M [--probe-model auto] [--saturators 6]
 *                 [--saturator-tokens 2000] [--probes 200] [--probe-rate 20] [--api-key K] [--out DIR]
 * </pre>
 */
public final class OverflowLatency {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        URI tandem = URI.create(args.get("tandem", "http://127.0.0.1:8080"));
        URI direct = URI.create(args.get("direct", "http://127.0.0.1:9001"));
        String localModel = args.get("local-model", "tandem-demo");
        String probeModel = args.get("probe-model", "auto");
        int saturators = args.getInt("saturators", 6);
        int probes = args.getInt("probes", 200);
        double rate = args.getDouble("probe-rate", 20);
        Duration timeout = Duration.ofSeconds(60);
        String report;
        Map<String, Object> figures;
        try (HttpDriver toTandem = new HttpDriver(tandem, args.get("api-key", null), timeout);
             HttpDriver toFake = new HttpDriver(direct, args.get("direct-key", FakeUpstreams.KEY), timeout)) {
            // Given: the engine kept busy by long local streams for the whole probe phase
            RequestSpec longLocal = new RequestSpec(RequestSpec.Dialect.OPENAI, localModel, true,
                    args.getInt("saturator-tokens", 2000), "Tell me a long story.");
            Duration busy = Duration.ofMillis((long) (probes / rate * 2000) + 20_000);
            CompletableFuture<?> saturating = CompletableFuture.runAsync(() ->
                    new LoadRunner(toTandem, List.of(longLocal)).closedLoop("saturate", saturators, busy, saturators * 4L));
            Thread.sleep(args.duration("settle", Duration.ofSeconds(3)).toMillis());

            RequestSpec probe = new RequestSpec(RequestSpec.Dialect.OPENAI, probeModel, true, 16, "Say hello.");
            RequestSpec probeDirect = new RequestSpec(RequestSpec.Dialect.OPENAI, args.get("remote-model", "gpt-4o"), true, 16, "Say hello.");
            // When: probes go through Tandem while saturated, then the same probes go to the fake directly
            List<Outcome> via = probe(toTandem, probe, probes, rate);
            List<Outcome> own = probe(toFake, probeDirect, probes, rate);
            saturating.cancel(true);
            report = report(via, own, saturators);
            figures = figures(via, own);
        }
        System.out.println(report);
        if (args.has("out")) {
            Path out = Path.of(args.get("out", "."));
            Files.createDirectories(out);
            Files.writeString(out.resolve("overflow.md"), report);
            Figures.write(out, "overflow", figures);
        }
        System.exit(0); // the saturating streams may still be open
    }

    /** {@code count} requests at {@code rate}, outcomes in order. */
    static List<Outcome> probe(HttpDriver driver, RequestSpec spec, int count, double rate) {
        List<CompletableFuture<Outcome>> futures = new ArrayList<>();
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            futures.add(driver.send(spec, due));
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    static String report(List<Outcome> via, List<Outcome> own, int saturators) {
        Predicate<Outcome> overflowed = o -> o.ok() && "saturated".equals(o.route());
        List<Outcome> over = via.stream().filter(overflowed).toList();
        TreeMap<String, Long> routes = new TreeMap<>();
        for (Outcome o : via) {
            routes.merge(o.kind() + " " + o.backend() + "/" + o.route(), 1L, Long::sum);
        }
        List<Outcome> ownOk = own.stream().filter(Outcome::ok).toList();
        Percentiles viaFb = pct(over, Outcome::firstByteNanos), ownFb = pct(ownOk, Outcome::firstByteNanos);
        Percentiles viaFt = pct(over, Outcome::firstTokenNanos), ownFt = pct(ownOk, Outcome::firstTokenNanos);
        StringBuilder sb = new StringBuilder("### Overflow: saturated engine → fake remote, time to first byte\n\n");
        sb.append("Engine held saturated by ").append(saturators).append(" long local streams; probes: streaming OpenAI requests. ")
                .append("Probe outcomes through Tandem: ").append(routes).append(".\n\n");
        sb.append(Markdown.table(List.of("measure", "fake direct p50/p95/p99 ms", "overflowed via Tandem p50/p95/p99 ms", "added p50/p95/p99 ms"),
                List.of(row("first byte (headers)", ownFb, viaFb), row("first token", ownFt, viaFt))));
        if (over.isEmpty()) {
            sb.append("\nNo probe was routed as `saturated`: the engine was not saturated, or the route header is missing.\n");
        } else {
            Percentiles added = viaFt.minus(ownFt);
            sb.append(String.format("%nTarget: the overflow decision adds < 1 ms to the remote's own time to first byte: "
                    + "added first-token p50 %.2f ms (%s), p99 %.2f ms; %d of %d probes overflowed.%n",
                    added.p50(), added.p50() < 1 ? "met" : "not met", added.p99(), over.size(), via.size()));
        }
        return sb.toString();
    }

    static Map<String, Object> figures(List<Outcome> via, List<Outcome> own) {
        List<Outcome> over = via.stream().filter(o -> o.ok() && "saturated".equals(o.route())).toList();
        List<Outcome> ownOk = own.stream().filter(Outcome::ok).toList();
        Percentiles fb = pct(over, Outcome::firstByteNanos).minus(pct(ownOk, Outcome::firstByteNanos));
        Percentiles ft = pct(over, Outcome::firstTokenNanos).minus(pct(ownOk, Outcome::firstTokenNanos));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("probes", via.size());
        f.put("overflowed", over.size());
        f.put("addedFirstByteP50", fb.p50());
        f.put("addedFirstByteP99", fb.p99());
        f.put("addedFirstTokenP50", ft.p50());
        f.put("addedFirstTokenP99", ft.p99());
        f.put("remoteFirstTokenP50", pct(ownOk, Outcome::firstTokenNanos).p50());
        return f;
    }

    private static List<String> row(String name, Percentiles own, Percentiles via) {
        Percentiles added = via.minus(own);
        return List.of(name, Markdown.pct(own), Markdown.pct(via),
                Markdown.num(added.p50(), 2) + " / " + Markdown.num(added.p95(), 2) + " / " + Markdown.num(added.p99(), 2));
    }

    private static Percentiles pct(List<Outcome> outcomes, java.util.function.ToLongFunction<Outcome> f) {
        return Percentiles.ofNanos(outcomes.stream().mapToLong(f).filter(v -> v >= 0).toArray());
    }
}
