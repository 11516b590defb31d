package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.Engines;
import dev.tandem.server.fakes.Await;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.ops.logging.LogSetup;
import dev.tandem.server.ops.logging.LoggingConfig;
import dev.tandem.server.ops.redaction.Redactor;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.Status;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logging.level: debug} says, one line each with the request id: the routing decision (the chain chosen,
 * with reasons, and the candidates skipped and why), each upstream attempt (upstream, number, status or error,
 * duration, never a key), and the engine's admission (queued, admitted). At INFO none of these lines appear.
 */
class DebugLogsIT {
    private static final String CHAT = "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TempDir
    static Path dir;
    static final FakeAnthropic anthropic = new FakeAnthropic();
    static TestServer server;
    final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        // one slot and no queue (a Hog saturates it), Claude as the fallback, OpenAI not configured
        server = TestServer.start(dir, Map.of("engine.maxRunning", "1", "engine.maxWaiting", "0", "routing.policy", "prefer-local",
                "remotes.anthropic.baseUrl", anthropic.baseUrl(), "remotes.anthropic.apiKey", anthropic.apiKey()),
                TestServer.hogContext(), Engines::open, true);
    }

    @AfterEach
    void backToStderr() {
        LogSetup.configure(Defaults.CONFIG.logging(), Redactor.fromConfig(Defaults.CONFIG.redaction()));
    }

    @AfterAll
    static void stop() {
        server.close();
        anthropic.close();
    }

    private void logAt(String level) {
        LogSetup.configure(new LoggingConfig("json", level), Redactor.fromConfig(Defaults.CONFIG.redaction()), logs);
    }

    /** The captured lines that name {@code requestId}, as JSON. */
    private List<JsonNode> linesOf(String requestId) {
        return logs.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(requestId)).map(TestServer::json).toList();
    }

    private static List<String> messages(List<JsonNode> lines, String level) {
        return lines.stream().filter(l -> l.path("level").asText().equals(level)).map(l -> l.path("formattedMessage").asText()).toList();
    }

    @Test
    void atDebugTheRouteTheAttemptsAndTheAdmissionEachSayOneLine() throws Exception {
        logAt("debug");
        // When a request is served locally
        HttpResponse<String> local = server.post("/v1/chat/completions", CHAT, "x-request-id", "dbg-local");
        assertThat(local.statusCode()).as(local.body()).isEqualTo(200);
        // Then its route (local first, Claude behind it; OpenAI skipped as not configured) and its admission are told
        List<String> debug = messages(linesOf("dbg-local"), "DEBUG");
        assertThat(debug).filteredOn(m -> m.contains("route for model tiny")).singleElement().satisfies(m -> assertThat(m)
                .contains("policy prefer-local").contains("local (primary), anthropic (if local fails)").contains("openai: not configured"));
        assertThat(debug).filteredOn(m -> m.startsWith("generation dbg-local") && m.contains(" queued: ")).hasSize(1);
        assertThat(debug).filteredOn(m -> m.startsWith("generation dbg-local") && m.contains(" admitted: ")).hasSize(1);
        // (the engine's lines too carry the request id as a field)
        assertThat(linesOf("dbg-local")).allSatisfy(l -> assertThat(l.at("/mdc/request_id").asText()).isEqualTo("dbg-local"));

        // When the engine is saturated and Claude answers at the second attempt (the first is a 503)
        anthropic.answerByDefault(Answer.text("Overflow.").withUsage(9, 2)).enqueue(new Status(503, "api_error", "unavailable", Map.of()));
        try (Hog hog = Hog.start(server, "x-request-id", "dbg-hog")) {
            assertThat(server.awaitRunning(1, Duration.ofSeconds(60))).isTrue();
            HttpResponse<String> overflow = server.post("/v1/chat/completions", CHAT, "x-request-id", "dbg-overflow");
            assertThat(overflow.statusCode()).as(overflow.body()).isEqualTo(200);
        }
        assertThat(server.awaitIdle(Duration.ofSeconds(60))).isTrue();

        // Then the route says why local is not first, and each attempt has its line with status and duration
        // (the last attempt's line comes as it ends, which may be just after the client has its answer)
        Await.until(() -> messages(linesOf("dbg-overflow"), "DEBUG").stream().anyMatch(m -> m.contains("anthropic attempt 2: ")),
                "the second attempt's line");
        List<String> overflow = messages(linesOf("dbg-overflow"), "DEBUG");
        assertThat(overflow).filteredOn(m -> m.contains("route for model tiny")).singleElement().satisfies(m -> assertThat(m)
                .contains("anthropic (saturated), local (primary)").contains("local first: saturated (1 of 1 running"));
        assertThat(overflow).filteredOn(m -> m.contains("anthropic attempt 1: HTTP 503, failed: ")).singleElement()
                .satisfies(m -> assertThat(m).containsPattern(" in \\d+ ms$"));
        assertThat(overflow).filteredOn(m -> m.contains("anthropic attempt 2: HTTP 200, finished in ")).hasSize(1);
        // every one of these lines carries the request id as a field
        assertThat(linesOf("dbg-overflow")).allSatisfy(l -> assertThat(l.at("/mdc/request_id").asText()).isEqualTo("dbg-overflow"));
        // and no line holds the upstream's key
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("dbg-overflow").doesNotContain(anthropic.apiKey());
    }

    @Test
    void atInfoNoneOfTheseLinesAppear() {
        logAt("info");
        HttpResponse<String> local = server.post("/v1/chat/completions", CHAT, "x-request-id", "info-local");
        assertThat(local.statusCode()).as(local.body()).isEqualTo(200);
        String text = logs.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("info-local"); // the capture works: the INFO line of the served request
        assertThat(text).doesNotContain("route for model").doesNotContain("generation info-local").doesNotContain("\"DEBUG\"");
    }
}
