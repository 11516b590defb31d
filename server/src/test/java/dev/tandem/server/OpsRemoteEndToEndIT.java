package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.Engines;
import dev.tandem.server.ops.ledger.UsageRecord;
import dev.tandem.server.ops.metrics.PromText;
import dev.tandem.server.ops.redaction.PlantedSecrets;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeUpstream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server with Claude behind it (the fake Anthropic upstream on loopback): planted secrets
 * never reach the upstream, remote answers are priced in the ledger, and a spend budget runs out.
 */
class OpsRemoteEndToEndIT {
    static final String MASTER = "master-remote-" + System.nanoTime();
    static final String CLAUDE = "claude-sonnet-4-5";
    @TempDir
    static Path dir;
    static FakeAnthropic anthropic;
    static TestServer server;

    @BeforeAll
    static void start() {
        anthropic = new FakeAnthropic();
        anthropic.answerByDefault(FakeUpstream.Answer.text("from ", "claude").withUsage(1000, 2));
        server = TestServer.start(dir, Map.of(
                "auth.enabled", "true", "auth.masterKey", MASTER,
                "remotes.anthropic.baseUrl", anthropic.baseUrl(),
                "remotes.anthropic.apiKey", anthropic.apiKey()), TestServer.longContext(), Engines::open, true);
    }

    @AfterAll
    static void stop() {
        server.close();
        anthropic.close();
    }

    static String createKey(String body) {
        HttpResponse<String> r = server.post("/admin/keys", body, "authorization", "Bearer " + MASTER);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return TestServer.json(r.body()).get("key").asText();
    }

    static String claude(String text) {
        return "{\"model\":\"" + CLAUDE + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":"
                + com.fasterxml.jackson.databind.node.TextNode.valueOf(text) + "}]}";
    }

    static List<UsageRecord> rowsOf(String requestId) {
        return server.tandem().ops().ledger().rows(null, null, Integer.MAX_VALUE).stream()
                .filter(r -> r.requestId().equals(requestId)).toList();
    }

    @Test
    void secretsAreMaskedBeforeClaudeAndTheAnswerIsPriced() {
        String key = createKey("{\"name\":\"remote\"}");
        Map<String, String> planted = PlantedSecrets.fresh();
        int before = anthropic.requests();

        HttpResponse<String> r = server.post("/v1/chat/completions", claude(PlantedSecrets.document(planted)),
                "authorization", "Bearer " + key, "x-request-id", "remote-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tandem-backend")).contains("anthropic");
        assertThat(TestServer.json(r.body()).at("/choices/0/message/content").asText()).isEqualTo("from claude");

        assertThat(anthropic.requests()).isEqualTo(before + 1);
        FakeUpstream.Received sent = anthropic.lastRequest();
        assertThat(sent.body()).contains("[REDACTED:");
        planted.forEach((type, s) -> assertThat(sent.body().contains(s)).as("planted %s upstream", type).isFalse());
        assertThat(sent.headers().toString()).doesNotContain(key);

        UsageRecord row = rowsOf("remote-1").get(0);
        assertThat(row.backend()).isEqualTo("anthropic");
        assertThat(row.promptTokens()).isEqualTo(1000);
        assertThat(row.completionTokens()).isEqualTo(2);
        // $3 per million input and $15 per million output (tandem-defaults.yaml)
        assertThat(row.costUsd()).isCloseTo(1000 * 3.0 / 1e6 + 2 * 15.0 / 1e6, org.assertj.core.data.Offset.offset(1e-12));

        PromText metrics = PromText.parse(server.get("/metrics", "authorization", "Bearer " + MASTER).body());
        assertThat(metrics.value("tandem_circuit_breaker_state", "upstream", "anthropic", "state", "closed")).isEqualTo(1);
    }

    @Test
    void aSpendBudgetRunsOutWithInsufficientQuota() {
        // one answer costs $0.00303: a budget of $0.005 allows two, then refuses
        String key = createKey("{\"name\":\"budget\",\"budgetUsd\":0.005}");
        assertThat(server.post("/v1/chat/completions", claude("one"), "authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        assertThat(server.post("/v1/chat/completions", claude("two"), "authorization", "Bearer " + key).statusCode()).isEqualTo(200);

        HttpResponse<String> openai = server.post("/v1/chat/completions", claude("three"), "authorization", "Bearer " + key);
        assertThat(openai.statusCode()).isEqualTo(429);
        JsonNode error = TestServer.json(openai.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("insufficient_quota");
        assertThat(error.get("code").asText()).isEqualTo("insufficient_quota");
        // a spent budget does not clear by waiting: no Retry-After, and the SDKs are told not to retry
        assertThat(openai.headers().firstValue("retry-after")).isEmpty();
        assertThat(openai.headers().firstValue("x-should-retry")).contains("false");

        HttpResponse<String> anthropicDialect = server.post("/v1/messages",
                "{\"model\":\"" + CLAUDE + "\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"four\"}]}",
                "x-api-key", key, "anthropic-version", "2023-06-01");
        assertThat(anthropicDialect.statusCode()).isEqualTo(429);
        assertThat(TestServer.json(anthropicDialect.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");

        // the budget caps remote spend only: the local model still answers this key
        HttpResponse<String> local = server.post("/v1/chat/completions",
                "{\"model\":\"" + TestServer.MODEL + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"five\"}]}",
                "authorization", "Bearer " + key);
        assertThat(local.statusCode()).as(local.body()).isEqualTo(200);
        assertThat(local.headers().firstValue("x-tandem-backend")).contains("local");

        PromText metrics = PromText.parse(server.get("/metrics", "authorization", "Bearer " + MASTER).body());
        assertThat(metrics.value("tandem_rate_limit_rejections_total", "limit", "budget")).isEqualTo(2);
    }

    @Test
    void aLocalOnlyKeyNeverReachesClaude() {
        String key = createKey("{\"name\":\"compliance\",\"policy\":\"local-only\"}");
        int before = anthropic.connections();
        HttpResponse<String> r = server.post("/v1/chat/completions", claude("hi"), "authorization", "Bearer " + key,
                "x-tandem-key-policy", "remote-only", "x-tandem-policy", "remote-only");
        assertThat(r.statusCode()).isBetween(400, 499);
        assertThat(anthropic.connections()).isEqualTo(before);
    }
}
