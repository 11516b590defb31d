package dev.tandem.bench.gateway;

import dev.tandem.bench.Args;
import dev.tandem.bench.http.HttpDriver;
import dev.tandem.bench.http.LoadGenerator;
import dev.tandem.bench.http.LoadResult;
import dev.tandem.bench.http.LoadRunner;
import dev.tandem.bench.http.RequestSpec;
import dev.tandem.bench.report.Markdown;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fault mode: while open-loop load of remote requests runs through Tandem, the fake upstream is
 * driven through its faults one phase at a time (through the control endpoint of
 * {@code FakeUpstreams}), and the table says what the clients saw in each phase: statuses, broken
 * streams, who served (fallbacks), latency. A last phase without faults shows the recovery.
 *
 * <pre>
 * FaultRun --tandem URL --control URL [--upstream openai] [--mix openai:gpt-4o:stream:16,openai:gpt-4o:json:16]
 *          [--faults status-429,status-500,status-503,status-529,slow-first-byte,stall,reset,malformed,error-event]
 *          [--rate 20] [--phase 5s] [--every 2] [--out DIR]
 * </pre>
 */
public final class FaultRun {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        URI tandem = URI.create(args.get("tandem", "http://127.0.0.1:8080"));
        URI control = URI.create(args.get("control", "http://127.0.0.1:9000"));
        String upstream = args.get("upstream", "openai");
        double rate = args.getDouble("rate", 20);
        Duration phase = args.duration("phase", Duration.ofSeconds(5));
        int every = args.getInt("every", 2);
        List<RequestSpec> mix = LoadGenerator.parseMix(args.get("mix", "openai:gpt-4o:stream:16,openai:gpt-4o:json:16"), "Say hello.");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<LoadResult> rows = new ArrayList<>();
        try (HttpDriver driver = new HttpDriver(tandem, args.get("api-key", null), Duration.ofSeconds(30))) {
            LoadRunner runner = new LoadRunner(driver, mix);
            rows.add(runner.openLoop("no fault (baseline)", rate, phase, Long.MAX_VALUE, 512));
            for (String fault : args.list("faults", "status-429,status-500,status-503,status-529,slow-first-byte,stall,reset,malformed,error-event")) {
                // Script enough faulty answers for the phase: one in `every` upstream requests fails.
                long count = Math.max(1, (long) (rate * phase.toSeconds() / every));
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(control.resolve(
                                "/fault?upstream=" + upstream + "&kind=" + fault + "&count=" + count + "&every=" + every))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("fault control refused " + fault + ": " + r.body());
                }
                rows.add(runner.openLoop(fault + " (1 in " + every + ")", rate, phase, Long.MAX_VALUE, 512));
                System.out.print(Markdown.loadTable(rows.subList(rows.size() - 1, rows.size())));
                // Faults the phase did not consume must not leak into the next phase (or the next tool)
                http.send(HttpRequest.newBuilder(control.resolve("/clear?upstream=" + upstream))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            }
            rows.add(runner.openLoop("no fault (recovery)", rate, phase.multipliedBy(2), Long.MAX_VALUE, 512));
        }
        StringBuilder sb = new StringBuilder("### Fault mode: " + upstream + " fake upstream faults under load through Tandem\n\n");
        sb.append("Load: ").append(mix.stream()
                .map(RequestSpec::label).distinct().toList()).append(" at ").append(rate).append(" req/s, ").append(phase.toSeconds())
                .append(" s per phase. Outcomes: status, then who served / why (`x-tandem-backend`/`x-tandem-route`); ")
                .append("`200+stream-error` = a stream that began and ended with an error event (never a silent 200).\n\n");
        List<List<String>> cells = rows.stream().map(r -> List.of(r.label(), Long.toString(r.sent()), Long.toString(r.ok()),
                r.outcomes().toString(), Markdown.pct(r.latency()), Markdown.pct(r.ttft()))).toList();
        sb.append(Markdown.table(List.of("phase", "sent", "ok", "what clients saw", "latency p50/p95/p99 ms", "TTFT p50/p95/p99 ms"), cells));
        System.out.println(sb);
        if (args.has("out")) {
            Path out = Path.of(args.get("out", "."));
            Files.createDirectories(out);
            Files.writeString(out.resolve("faults.md"), sb.toString());
        }
    }
}
