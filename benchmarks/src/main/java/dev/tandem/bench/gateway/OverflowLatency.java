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
import java.util.function.ToLongFunction;

/**
 * The cost of the overflow decision: the local engine is kept saturated by long local streams, and
 * probes go out in one interleaved open loop, three kinds at {@code --probe-rate} each: {@code auto}
 * through Tandem (overflowed to the fake remote, route {@code saturated}), the remote model named
 * through Tandem (the same gateway path without the decision), and straight to the fake (its own
 * time). All are timed to first byte and first token under the same load. The decision's cost =
 * overflowed − named; the whole detour = overflowed − direct. The saturating streams use their own
 * HTTP client, so their token flood does not queue behind the probes' in one client's selector.
 *
 * <pre>
 * OverflowLatency --tandem URL --direct URL --local-model M [--probe-model auto] [--remote-model gpt-4o]
 *                 [--saturators 2] [--saturator-tokens 2000] [--probes 200] [--probe-rate 20] [--warmup 10s]
 *                 [--api-key K] [--out DIR]
 * </pre>
 */
public final class OverflowLatency {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        URI tandem = URI.create(args.get("tandem", "http://127.0.0.1:8080"));
        URI direct = URI.create(args.get("direct", "http://127.0.0.1:9001"));
        String localModel = args.get("local-model", "tandem-demo");
        String probeModel = args.get("probe-model", "auto");
        int saturators = args.getInt("saturators", 2);
        int probes = args.getInt("probes", 200);
        double rate = args.getDouble("probe-rate", 20);
        Duration timeout = Duration.ofSeconds(60);
        String report;
        Map<String, Object> figures;
        try (HttpDriver forSaturators = new HttpDriver(tandem, args.get("api-key", null), timeout);
             HttpDriver toTandem = new HttpDriver(tandem, args.get("api-key", null), timeout);
             HttpDriver toFake = new HttpDriver(direct, args.get("direct-key", FakeUpstreams.KEY), timeout)) {
            // Given: the engine kept busy by long local streams (exactly their token count) for the whole probe phase
            RequestSpec longLocal = new RequestSpec(RequestSpec.Dialect.OPENAI, localModel, true,
                    args.getInt("saturator-tokens", 2000), "Tell me a long story.", true);
            Duration busy = Duration.ofMillis((long) (probes / rate * 1000) + args.duration("warmup", Duration.ofSeconds(10)).toMillis() + 30_000);
            CompletableFuture<?> saturating = CompletableFuture.runAsync(() ->
                    new LoadRunner(forSaturators, List.of(longLocal)).closedLoop("saturate", saturators, busy, saturators * 4L));
            Thread.sleep(args.duration("settle", Duration.ofSeconds(3)).toMillis());

            String remoteModel = args.get("remote-model", "gpt-4o");
            Probe[] kinds = {
                new Probe(toTandem, new RequestSpec(RequestSpec.Dialect.OPENAI, probeModel, true, 16, "Say hello.")),
                new Probe(toTandem, new RequestSpec(RequestSpec.Dialect.OPENAI, remoteModel, true, 16, "Say hello.")),
                new Probe(toFake, new RequestSpec(RequestSpec.Dialect.OPENAI, remoteModel, true, 16, "Say hello."))};
            // A fresh server runs these paths interpreted until the JIT has compiled them: warm them, then measure
            probe(rate, (int) (rate * args.duration("warmup", Duration.ofSeconds(10)).toSeconds()), kinds);
            List<List<Outcome>> results = probe(rate, probes, kinds);
            saturating.cancel(true);
            report = report(results.get(0), results.get(1), results.get(2), saturators);
            figures = figures(results.get(0), results.get(1), results.get(2));
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

    record Probe(HttpDriver driver, RequestSpec spec) {}

    /** {@code count} requests of each kind, interleaved, each kind at {@code rate}; outcomes per kind, in order. */
    static List<List<Outcome>> probe(double rate, int count, Probe... kinds) {
        List<List<CompletableFuture<Outcome>>> futures = new ArrayList<>();
        for (int k = 0; k < kinds.length; k++) {
            futures.add(new ArrayList<>());
        }
        long interval = (long) (1e9 / (rate * kinds.length));
        long start = System.nanoTime();
        for (int i = 0; i < count * kinds.length; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            Probe p = kinds[i % kinds.length];
            futures.get(i % kinds.length).add(p.driver().send(p.spec(), due));
        }
        return futures.stream().map(f -> f.stream().map(CompletableFuture::join).toList()).toList();
    }

    /** The probes that count: overflowed auto probes, and the successful named and direct ones. */
    private record Counted(List<Outcome> over, List<Outcome> named, List<Outcome> own) {
        static Counted of(List<Outcome> via, List<Outcome> named, List<Outcome> own) {
            return new Counted(via.stream().filter(o -> o.ok() && "saturated".equals(o.route())).toList(),
                    named.stream().filter(Outcome::ok).toList(), own.stream().filter(Outcome::ok).toList());
        }

        /** Overflowed − named: what the decision adds. */
        Percentiles decision(ToLongFunction<Outcome> f) {
            return pct(over, f).minus(pct(named, f));
        }

        /** Overflowed − direct: what the whole detour through Tandem adds. */
        Percentiles detour(ToLongFunction<Outcome> f) {
            return pct(over, f).minus(pct(own, f));
        }
    }

    static String report(List<Outcome> via, List<Outcome> named, List<Outcome> own, int saturators) {
        Counted c = Counted.of(via, named, own);
        TreeMap<String, Long> routes = new TreeMap<>();
        for (Outcome o : via) {
            routes.merge(o.kind() + " " + o.backend() + "/" + o.route(), 1L, Long::sum);
        }
        StringBuilder sb = new StringBuilder("### Overflow: saturated engine → fake remote, time to first byte\n\n");
        sb.append("Engine held saturated by ").append(saturators).append(" long local streams; probes: streaming OpenAI requests, ")
                .append("three kinds interleaved. Auto probes through Tandem: ").append(routes).append(".\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (boolean token : new boolean[] {false, true}) {
            ToLongFunction<Outcome> f = token ? Outcome::firstTokenNanos : Outcome::firstByteNanos;
            rows.add(List.of(token ? "first token" : "first byte (headers)", Markdown.pct(pct(c.own(), f)),
                    Markdown.pct(pct(c.named(), f)), Markdown.pct(pct(c.over(), f)), added(c.decision(f)), added(c.detour(f))));
        }
        sb.append(Markdown.table(List.of("measure", "fake direct p50/p95/p99 ms", "remote model named, via Tandem",
                "overflowed via Tandem", "decision: overflowed − named", "detour: overflowed − direct"), rows));
        if (c.over().isEmpty()) {
            sb.append("\nNo probe was routed as `saturated`: the engine was not saturated, or the route header is missing.\n");
        } else {
            Percentiles decision = c.decision(Outcome::firstTokenNanos);
            Percentiles detour = c.detour(Outcome::firstTokenNanos);
            sb.append(String.format("%nTarget: the overflow decision adds < 1 ms to the remote's time to first token: "
                    + "p50 %.2f ms (%s), p99 %.2f ms; %d of %d probes overflowed. "
                    + "The whole detour (decision and gateway) adds p50 %.2f ms, p99 %.2f ms to the fake's own time.%n",
                    decision.p50(), decision.p50() < 1 ? "met" : "not met", decision.p99(), c.over().size(), via.size(),
                    detour.p50(), detour.p99()));
        }
        return sb.toString();
    }

    static Map<String, Object> figures(List<Outcome> via, List<Outcome> named, List<Outcome> own) {
        Counted c = Counted.of(via, named, own);
        Percentiles decision = c.decision(Outcome::firstTokenNanos);
        Percentiles detour = c.detour(Outcome::firstTokenNanos);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("probes", via.size());
        f.put("overflowed", c.over().size());
        f.put("decisionFirstTokenP50", decision.p50());
        f.put("decisionFirstTokenP99", decision.p99());
        f.put("addedFirstTokenP50", detour.p50());
        f.put("addedFirstTokenP99", detour.p99());
        f.put("namedFirstTokenP50", pct(c.named(), Outcome::firstTokenNanos).p50());
        f.put("remoteFirstTokenP50", pct(c.own(), Outcome::firstTokenNanos).p50());
        return f;
    }

    private static String added(Percentiles p) {
        return Markdown.num(p.p50(), 2) + " / " + Markdown.num(p.p95(), 2) + " / " + Markdown.num(p.p99(), 2);
    }

    private static Percentiles pct(List<Outcome> outcomes, ToLongFunction<Outcome> f) {
        return Percentiles.ofNanos(outcomes.stream().mapToLong(f).filter(v -> v >= 0).toArray());
    }
}
