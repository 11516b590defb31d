package dev.tandem.bench.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.bench.http.RequestSpec.Dialect;
import dev.tandem.bench.report.SvgChart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadRunnerTest {
    /** Runs here end at their request count; their duration only bounds a hung run. */
    private static final Duration GENEROUS = Duration.ofMinutes(2);

    static StubDialectServer server;
    static LoadRunner runner;

    @BeforeAll
    static void start() throws Exception {
        server = new StubDialectServer();
        List<RequestSpec> mix = LoadGenerator.parseMix("openai:m:stream:3,anthropic:m:json:3,anthropic:busy:stream", "hi");
        runner = new LoadRunner(new HttpDriver(server.uri(), null, Duration.ofSeconds(10)), mix);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void openLoopSendsAtItsRateAndTalliesEachOutcome() {
        // When 30 requests are due at 100 req/s (bounded by count)
        LoadResult r = runner.openLoop("mix", 100, GENEROUS, 30, 64);
        // Then all 30 were sent, two thirds succeeded and one third was refused with 429
        assertThat(r.sent()).isEqualTo(30);
        assertThat(r.ok()).isEqualTo(20);
        assertThat(r.outcomes()).containsEntry("200", 20L).containsEntry("429", 10L);
        assertThat(r.errors()).isEqualTo(10);
        assertThat(r.outputTokens()).isEqualTo(60);
        assertThat(r.latency().count()).isEqualTo(20);
        // 30 requests 10 ms apart take at least 0.29 s
        assertThat(r.seconds()).isGreaterThanOrEqualTo(0.29);
    }

    @Test
    void closedLoopStopsAtItsRequestBound() {
        LoadResult r = runner.closedLoop("mix", 4, GENEROUS, 12);
        assertThat(r.sent()).isEqualTo(12);
        assertThat(r.ok() + r.errors()).isEqualTo(12);
        assertThat(r.offered()).isEqualTo("c=4");
    }

    @Test
    void theReportIsAMarkdownTableWithAWellFormedSvgChart(@TempDir Path dir) throws Exception {
        List<LoadResult> rows = List.of(
                runner.closedLoop("mix", 1, GENEROUS, 6),
                runner.closedLoop("mix", 2, GENEROUS, 6));
        String md = LoadGenerator.loadReport("Closed loop", rows, "clients", dir, "load-closed");
        assertThat(md).contains("| c=1 |").contains("| c=2 |").contains("load-closed.svg");
        Path svg = dir.resolve("load-closed.svg");
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile()); // throws if malformed
        assertThat(Files.readString(svg)).contains("p50").contains("p99").contains("<path");
    }

    @Test
    void soakOffersItsWholeScheduleWhateverTheMachinesSpeed() {
        // Guards the soak's request count against a busy machine: its windows come from the schedule,
        // so the time spent draining a window never drops the next one.
        // Given this JVM standing in for the server process (its RSS is readable from /proc), and a mix
        // whose slow answers (0.4 s) keep the first window draining past the end of the soak's 0.6 s,
        // as a loaded machine does
        ServerProbe probe = new ServerProbe(server.uri(), ProcessHandle.current().pid());
        assertThat(probe.rssMiB()).isPositive();
        LoadRunner slowMix = new LoadRunner(new HttpDriver(server.uri(), null, Duration.ofSeconds(10)),
                LoadGenerator.parseMix("openai:slow:json:3,anthropic:m:json:3,anthropic:busy:stream", "hi"));
        java.util.Map<String, Object> figures = new java.util.LinkedHashMap<>();
        // When soaking 0.6 s at 20 req/s in 0.3 s windows
        String md = LoadGenerator.Soak.run(slowMix, probe, "mix", 20, Duration.ofMillis(600), Duration.ofMillis(300), 64, figures);
        // Then two windows of 6 sent all 12 scheduled requests, of which the refused third of the mix are errors
        assertThat(md.lines().filter(l -> l.startsWith("| mix | 20 req/s | 6 |"))).hasSize(2);
        assertThat(figures).containsEntry("requests", 12L).containsEntry("errors", 4L);
        // And memory is reported, and the stub exposes no queue
        assertThat(md).contains("### Soak").contains("| errors | 4 of 12 |").contains("not exposed");
        assertThat((Double) figures.get("rssEndMiB")).isPositive();
    }

    @Test
    void aSoakShorterThanItsWindowRunsOneShortWindow() {
        java.util.Map<String, Object> figures = new java.util.LinkedHashMap<>();
        ServerProbe probe = new ServerProbe(server.uri(), 0);
        // When soaking 0.25 s at 20 req/s with a 10 s window
        String md = LoadGenerator.Soak.run(runner, probe, "mix", 20, Duration.ofMillis(250), Duration.ofSeconds(10), -1, figures);
        // Then one window of 0.25 s sent its 5 requests
        assertThat(md.lines().filter(l -> l.startsWith("| mix | 20 req/s | 5 |"))).hasSize(1);
        assertThat(figures).containsEntry("requests", 5L);
    }

    @Test
    void mixEntriesParseWithModelsThatContainColons() {
        RequestSpec s = LoadGenerator.parseMix("anthropic:org:model:v1:json:7", "p").get(0);
        assertThat(s.dialect()).isEqualTo(Dialect.ANTHROPIC);
        assertThat(s.model()).isEqualTo("org:model:v1");
        assertThat(s.stream()).isFalse();
        assertThat(s.maxTokens()).isEqualTo(7);
        assertThat(new SvgChart("t", "x", "y").render()).startsWith("<svg");
    }
}
