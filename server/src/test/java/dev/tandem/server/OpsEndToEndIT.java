package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.fakes.Await;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.ops.ledger.UsageRecord;
import dev.tandem.server.ops.logging.LogSetup;
import dev.tandem.server.ops.logging.LoggingConfig;
import dev.tandem.server.ops.metrics.PromText;
import dev.tandem.server.ops.redaction.PlantedSecrets;
import dev.tandem.server.ops.redaction.Redactor;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations on the real server (tiny random model, real engine): keys, 401s in both dialects, 429
 * with Retry-After, the ledger for local, cached, failed and cancelled requests, the cache across
 * stream/non-stream and keys, /metrics, request ids, and no secret in any log line.
 */
class OpsEndToEndIT {
    static final String MASTER = "master-e2e-" + System.nanoTime();
    @TempDir
    static Path dir;
    static TestServer server;
    static final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        // An endless model: the metrics test wants a first token from a prompt that differs at each run, and a
        // random model may end an answer before it; a window no test outlives for the Hog (with KV for it, not 16)
        server = TestServer.start(dir, Map.of("auth.enabled", "true", "auth.masterKey", MASTER, "cache.enabled", "true",
                "engine.kvTokenBudget", "73728"), TestServer.hogContext().withEndless(true), dev.tandem.models.Engines::open, true);
        // capture every log line from now on, through the same redaction as the server's own appender
        LogSetup.configure(new LoggingConfig("json", "debug"), Redactor.fromConfig(Defaults.CONFIG.redaction()), logs);
    }

    @AfterAll
    static void stop() {
        server.close();
        LogSetup.configure(Defaults.CONFIG.logging(), Redactor.fromConfig(Defaults.CONFIG.redaction()));
    }

    static String createKey(String body) {
        HttpResponse<String> r = server.post("/admin/keys", body, "authorization", "Bearer " + MASTER);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return TestServer.json(r.body()).get("key").asText();
    }

    static String chat(boolean stream, String text) {
        return "{\"model\":\"tiny\",\"max_tokens\":8,\"temperature\":0,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":" + TestServer.json("\"" + text + "\"").toString() + "}]}";
    }

    static List<UsageRecord> rowsOf(String requestId) {
        return server.ledgerRows(requestId);
    }

    @Test
    void everyEndpointButTheOpenOnesWantsAKeyInTheCallersDialect() {
        HttpResponse<String> openai = server.post("/v1/chat/completions", chat(false, "hi"));
        assertThat(openai.statusCode()).isEqualTo(401);
        assertThat(TestServer.json(openai.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");

        HttpResponse<String> anthropic = server.post("/v1/messages",
                "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-api-key", "tdm-not-a-key", "anthropic-version", "2023-06-01");
        assertThat(anthropic.statusCode()).isEqualTo(401);
        JsonNode a = TestServer.json(anthropic.body());
        assertThat(a.get("type").asText()).isEqualTo("error");
        assertThat(a.at("/error/type").asText()).isEqualTo("authentication_error");

        assertThat(server.get("/v1/models").statusCode()).isEqualTo(401);
        HttpResponse<String> models = server.get("/v1/models", "anthropic-version", "2023-06-01");
        assertThat(models.statusCode()).isEqualTo(401);
        assertThat(TestServer.json(models.body()).at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(server.post("/tokenize", "{\"model\":\"tiny\",\"prompt\":\"a\"}").statusCode()).isEqualTo(401);
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        assertThat(server.get("/metrics").statusCode()).isEqualTo(401);
        assertThat(server.get("/metrics", "authorization", "Bearer " + MASTER).statusCode()).isEqualTo(200);
        assertThat(server.get("/admin/keys").statusCode()).isEqualTo(401);
    }

    @Test
    void tokenizeAndCountTokensPassTheSameGateAsGeneration() {
        // Given a key that may use another model only, and one allowed a single request a minute
        String otherModel = createKey("{\"name\":\"other\",\"allowedModels\":[\"not-tiny\"]}");
        String once = createKey("{\"name\":\"once\",\"rpm\":1}");
        String count = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        // Then the model list applies to both routes, in each route's dialect
        HttpResponse<String> tokenize = server.post("/tokenize", "{\"model\":\"tiny\",\"prompt\":\"a\"}", "authorization", "Bearer " + otherModel);
        assertThat(tokenize.statusCode()).as(tokenize.body()).isEqualTo(403);
        assertThat(TestServer.json(tokenize.body()).at("/error/code").asText()).isEqualTo("model_not_allowed");
        HttpResponse<String> counted = server.post("/v1/messages/count_tokens", count, "x-api-key", otherModel,
                "anthropic-version", "2023-06-01");
        assertThat(counted.statusCode()).as(counted.body()).isEqualTo(403);
        assertThat(TestServer.json(counted.body()).at("/error/type").asText()).isEqualTo("permission_error");
        // and so does the rate limit
        assertThat(server.post("/v1/messages/count_tokens", count, "x-api-key", once, "anthropic-version", "2023-06-01").statusCode())
                .isEqualTo(200);
        HttpResponse<String> limited = server.post("/tokenize", "{\"prompt\":\"a\"}", "authorization", "Bearer " + once);
        assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).isPresent();
    }

    @Test
    void aKeyServesBothDialectsAndEveryRequestIsLedgeredWithItsRequestId() {
        String key = createKey("{\"name\":\"e2e\"}");
        HttpResponse<String> r = server.post("/v1/chat/completions", chat(false, "ledger me"),
                "authorization", "Bearer " + key, "x-request-id", "e2e-ledger-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-request-id")).contains("e2e-ledger-1");
        JsonNode usage = TestServer.json(r.body()).get("usage");

        List<UsageRecord> rows = rowsOf("e2e-ledger-1");
        assertThat(rows).hasSize(1);
        UsageRecord row = rows.get(0);
        assertThat(row.backend()).isEqualTo("local");
        assertThat(row.dialect()).isEqualTo("openai");
        assertThat(row.model()).isEqualTo("tiny");
        assertThat(row.status()).isEqualTo("ok");
        assertThat(row.promptTokens()).isEqualTo(usage.get("prompt_tokens").asInt());
        assertThat(row.completionTokens()).isEqualTo(usage.get("completion_tokens").asInt());
        assertThat(row.costUsd()).isZero();
        assertThat(row.timeToFirstTokenMs()).isNotNull();

        HttpResponse<String> m = server.post("/v1/messages",
                "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-api-key", key, "anthropic-version", "2023-06-01", "x-request-id", "e2e-ledger-2");
        assertThat(m.statusCode()).as(m.body()).isEqualTo(200);
        assertThat(rowsOf("e2e-ledger-2")).extracting(UsageRecord::dialect).containsExactly("anthropic");

        // and the usage API sums them for the key
        JsonNode totals = TestServer.json(server.get("/v1/usage", "x-api-key", MASTER).body());
        long requests = 0;
        for (JsonNode t : totals.get("data")) {
            requests += t.get("requests").asLong();
        }
        assertThat(requests).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRequestIdThatHoldsASecretIsReplacedBeforeItIsStoredEchoedOrLogged() {
        String key = createKey("{\"name\":\"secret-ids\"}");
        Map<String, String> planted = new LinkedHashMap<>(PlantedSecrets.fresh());
        planted.keySet().removeAll(List.of("private_key", "password")); // not a header value; not a secret out of context
        planted.forEach((type, secret) -> {
            // When a client sends a secret as its request id
            HttpResponse<String> r = server.post("/v1/chat/completions", chat(false, "id " + type),
                    "authorization", "Bearer " + key, "x-request-id", secret);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            // Then it gets a generated id instead, and the ledger row is stored under that one
            String id = r.headers().firstValue("x-request-id").orElseThrow();
            assertThat(id).as(type).startsWith("req_").doesNotContain(secret);
            assertThat(rowsOf(secret)).as(type).isEmpty();
            assertThat(rowsOf(id)).as(type).hasSize(1);
        });
        // And no log line holds any of them
        String text = logs.toString(StandardCharsets.UTF_8);
        planted.forEach((type, secret) -> assertThat(text.contains(secret)).as("a %s request id in the logs", type).isFalse());
    }

    @Test
    void aFailedRequestIsLedgeredWithItsErrorKind() {
        String key = createKey("{\"name\":\"fails\"}");
        // a prompt longer than the model's window is refused by the local backend
        String ids = java.util.stream.IntStream.range(0, server.engine().model().contextLength() + 8)
                .mapToObj(i -> Integer.toString(1 + i % 100)).collect(java.util.stream.Collectors.joining(","));
        HttpResponse<String> r = server.post("/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":[" + ids + "],\"max_tokens\":4}",
                "authorization", "Bearer " + key, "x-request-id", "e2e-fail-1");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(rowsOf("e2e-fail-1")).extracting(UsageRecord::status, UsageRecord::backend)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("invalid_request", "none"));
        // a model the key may not use: 403 in the dialect, ledgered as a permission error
        String narrow = createKey("{\"name\":\"narrow\",\"allowedModels\":[\"other\"]}");
        HttpResponse<String> forbidden = server.post("/v1/messages",
                "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-api-key", narrow, "anthropic-version", "2023-06-01", "x-request-id", "e2e-fail-2");
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(TestServer.json(forbidden.body()).at("/error/type").asText()).isEqualTo("permission_error");
        assertThat(rowsOf("e2e-fail-2")).extracting(UsageRecord::status).containsExactly("permission");
    }

    @Test
    void aClientThatGoesAwayLeavesOneCancelledRow() throws Exception {
        String key = createKey("{\"name\":\"cancel\"}");
        // Given a stream that lasts until its client goes away (it never ends by itself), three frames in
        try (Hog hog = Hog.start(server, "authorization", "Bearer " + key, "x-request-id", "e2e-cancel-1")) {
            hog.awaitFrames(2);
        } // When the client goes away
        // Then the engine is idle and the ledger holds one cancelled row with the tokens streamed
        assertThat(server.awaitIdle(Duration.ofSeconds(60))).isTrue();
        Await.until(() -> !rowsOf("e2e-cancel-1").isEmpty(), "the ledger row of the stream");
        List<UsageRecord> rows = rowsOf("e2e-cancel-1");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).status()).isEqualTo("cancelled");
        assertThat(rows.get(0).completionTokens()).isPositive();
    }

    @Test
    void greedyAnswersAreReplayedFromTheCacheAsJsonOrStreamButNeverToAnotherKey() throws Exception {
        String alice = createKey("{\"name\":\"alice\"}");
        String bob = createKey("{\"name\":\"bob\"}");
        String prompt = "cache me " + System.nanoTime();

        HttpResponse<String> first = server.post("/v1/chat/completions", chat(false, prompt), "authorization", "Bearer " + alice);
        HttpResponse<String> second = server.post("/v1/chat/completions", chat(false, prompt), "authorization", "Bearer " + alice,
                "x-request-id", "e2e-cache-hit");
        assertThat(first.headers().firstValue("x-tandem-cache")).isEmpty();
        assertThat(second.headers().firstValue("x-tandem-cache")).contains("hit");
        String text = TestServer.json(first.body()).at("/choices/0/message/content").asText();
        assertThat(TestServer.json(second.body()).at("/choices/0/message/content").asText()).isEqualTo(text);
        assertThat(TestServer.json(second.body()).get("usage")).isEqualTo(TestServer.json(first.body()).get("usage"));
        assertThat(rowsOf("e2e-cache-hit")).extracting(UsageRecord::route).containsExactly("cache");

        // the same answer as a stream
        HttpResponse<String> streamed = server.post("/v1/chat/completions", chat(true, prompt), "authorization", "Bearer " + alice);
        assertThat(streamed.headers().firstValue("x-tandem-cache")).contains("hit");
        String streamedText = streamed.body().lines().filter(l -> l.startsWith("data: {"))
                .map(l -> TestServer.json(l.substring(6)).at("/choices/0/delta/content"))
                .filter(n -> !n.isMissingNode() && !n.isNull()).map(JsonNode::asText).collect(Collectors.joining());
        assertThat(streamedText).isEqualTo(text);
        assertThat(streamed.body()).contains("data: [DONE]");

        // another key computes its own
        HttpResponse<String> other = server.post("/v1/chat/completions", chat(false, prompt), "authorization", "Bearer " + bob);
        assertThat(other.headers().firstValue("x-tandem-cache")).isEmpty();
        assertThat(TestServer.json(other.body()).at("/choices/0/message/content").asText()).isEqualTo(text);
    }

    @Test
    void overTheLimitIs429WithRetryAfterInEachDialect() {
        String key = createKey("{\"name\":\"limited\",\"rpm\":1}");
        assertThat(server.post("/v1/chat/completions", chat(false, "one"), "authorization", "Bearer " + key).statusCode()).isEqualTo(200);

        HttpResponse<String> openai = server.post("/v1/chat/completions", chat(false, "two"), "authorization", "Bearer " + key);
        assertThat(openai.statusCode()).isEqualTo(429);
        assertThat(openai.headers().firstValue("retry-after")).isPresent();
        assertThat(TestServer.json(openai.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");

        HttpResponse<String> anthropic = server.post("/v1/messages",
                "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-api-key", key, "anthropic-version", "2023-06-01");
        assertThat(anthropic.statusCode()).isEqualTo(429);
        assertThat(TestServer.json(anthropic.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void metricsParseAndMoveWithTraffic() {
        String key = createKey("{\"name\":\"metrics\"}");
        PromText before = PromText.parse(server.get("/metrics", "authorization", "Bearer " + MASTER).body());
        server.post("/v1/chat/completions", chat(false, "count me " + System.nanoTime()), "authorization", "Bearer " + key);
        server.post("/v1/chat/completions", chat(false, "no key"));
        PromText after = PromText.parse(server.get("/metrics", "authorization", "Bearer " + MASTER).body());

        String[] ok = {"dialect", "openai", "backend", "local", "route", "primary", "status", "ok"};
        assertThat(after.value("tandem_requests_total", ok)).isEqualTo(before.value("tandem_requests_total", ok) + 1);
        assertThat(after.value("tandem_time_to_first_token_seconds_count", "backend", "local"))
                .isGreaterThan(before.value("tandem_time_to_first_token_seconds_count", "backend", "local"));
        assertThat(after.value("tandem_completion_tokens_total", "backend", "local"))
                .isGreaterThan(before.value("tandem_completion_tokens_total", "backend", "local"));
        assertThat(after.value("tandem_gate_rejections_total", "reason", "auth"))
                .isGreaterThan(before.value("tandem_gate_rejections_total", "reason", "auth"));
        assertThat(after.samples).containsKey("tandem_engine_queue_depth").containsKey("tandem_engine_running_sequences")
                .containsKey("tandem_engine_batch_size").containsKey("tandem_engine_kv_cache_usage_ratio");
    }

    /** A little context around where {@code what} occurs, for a failure message. */
    static String around(String text, String what) {
        int i = text.indexOf(what);
        return i < 0 ? "" : text.substring(Math.max(0, i - 300), Math.min(text.length(), i + 100));
    }

    @Test
    void plantedSecretsInAPromptNeverReachALogLine() {
        String key = createKey("{\"name\":\"secrets\"}");
        Map<String, String> planted = PlantedSecrets.fresh();
        String marker = "zebra" + System.nanoTime();
        HttpResponse<String> r = server.post("/v1/chat/completions", chat(false, marker + " " + PlantedSecrets.document(planted)
                .replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")), "authorization", "Bearer " + key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        server.post("/v1/chat/completions", "{not json " + planted.get("openai_key"), "authorization", "Bearer " + key);
        String text = logs.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("e2e-"); // the capture works: request ids of earlier requests are in it
        planted.forEach((type, s) -> assertThat(text.contains(s)).as("a planted %s in the logs", type).isFalse());
        assertThat(text.contains(key)).as("the client key in the logs").isFalse();
        assertThat(text.contains(marker)).as("the prompt in the logs: %s", around(text, marker)).isFalse();
        assertThat(text.contains(MASTER)).as("the master key in the logs: %s", around(text, MASTER)).isFalse();
    }

    @Test
    void everyRefusedRequestLogsOneInfoLineWithItsReasonAndRequestId() {
        String key = createKey("{\"name\":\"refusals\",\"rpm\":1}");
        // When requests are refused for each reason: no key, bad JSON, an unknown model, a spent limit
        server.post("/v1/chat/completions", chat(false, "x"), "x-request-id", "e2e-refused-401");
        server.post("/v1/chat/completions", "{not json", "authorization", "Bearer " + key, "x-request-id", "e2e-refused-400");
        server.post("/v1/messages", "{\"model\":\"nope\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "x-api-key", key, "anthropic-version", "2023-06-01", "x-request-id", "e2e-refused-404");
        assertThat(server.post("/v1/chat/completions", chat(false, "y"), "authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        server.post("/v1/chat/completions", chat(false, "z"), "authorization", "Bearer " + key, "x-request-id", "e2e-refused-429");
        // Then each left exactly one INFO line, naming its status and carrying its request id as a field
        List<String> lines = logs.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("e2e-refused-")).toList();
        for (String status : List.of("401", "400", "404", "429")) {
            List<String> refused = lines.stream().filter(l -> l.contains("\"request_id\":\"e2e-refused-" + status + "\"")
                    && l.contains("refused: " + status)).toList();
            assertThat(refused).as(status + " in " + lines).hasSize(1);
            assertThat(refused.get(0)).contains("\"level\":\"INFO\"");
        }
    }

    @Test
    void everyLogLineAboutARequestCarriesItsRequestIdStreamingOrNot() {
        String key = createKey("{\"name\":\"ids\"}");
        for (boolean stream : new boolean[] {false, true}) {
            String id = "e2e-log-ids-" + stream;
            HttpResponse<String> r = server.post("/v1/chat/completions", chat(stream, "ids " + stream),
                    "authorization", "Bearer " + key, "x-request-id", id);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            // the lines that speak of this request (the router names it) carry its id as a field
            List<String> lines = logs.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(id)).toList();
            assertThat(lines).isNotEmpty();
            assertThat(lines).allSatisfy(l -> assertThat(l).contains("\"request_id\":\"" + id + "\""));
            // and at debug level, the HTTP server's own lines (which dump request bytes) stay out
            assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain("ids " + stream);
        }
    }
}
