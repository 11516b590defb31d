package dev.tandem.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.Operations;
import dev.tandem.server.api.ErrorResponses;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.ops.gate.AuthFilter;
import dev.tandem.server.ops.metrics.PromText;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator routes on a real Javalin server on loopback: the auth filter, the admin API, /metrics
 * and the gate's error shapes. Two stand-in inference endpoints call the guarded dispatcher the way
 * the dialect edge does (the auth filter's caller in, ApiException out).
 */
class OpsRoutesIT {
    static final String MASTER = "master-" + System.nanoTime();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Operations ops;
    Javalin app;
    HttpClient http = HttpClient.newHttpClient();
    String base;
    ScriptedBackend local = ScriptedBackend.answering("local", "tiny", "hello", 3);

    @BeforeEach
    void start() {
        start(Map.of());
    }

    void restart(Map<String, String> settings) {
        stop();
        start(settings);
    }

    void start(Map<String, String> settings) {
        Map<String, String> overrides = new java.util.HashMap<>(Map.of("auth.masterKey", MASTER,
                "ledger.database", dir.resolve("t.db").toString()));
        overrides.putAll(settings);
        ops = Operations.open(ConfigLoader.load(null, Map.of(), overrides), null, null, null);
        Backend guarded = ops.guardDispatcher(local);
        app = Javalin.create(config -> {
            ops.addRoutes(config.routes);
            config.routes.exception(ApiException.class, ErrorResponses::apiError); // the server's one error mapper
            config.routes.get("/health", ctx -> ctx.result("ok"));
            config.routes.get("/v1/models", ctx -> ctx.result("{\"data\":[]}"));
            config.routes.post("/v1/chat/completions", ctx -> infer(ctx, guarded, Dialect.OPENAI));
            config.routes.post("/v1/messages", ctx -> infer(ctx, guarded, Dialect.ANTHROPIC));
        }).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
    }

    @AfterEach
    void stop() {
        app.stop();
        ops.close();
    }

    static void infer(Context ctx, Backend backend, Dialect dialect) {
        InferenceRequest r = Requests.chat("tiny", ctx.body()).withDialect(dialect).withCaller(AuthFilter.callerOf(ctx)).build();
        StringBuilder text = new StringBuilder();
        List<InferenceEvent> events = new ArrayList<>();
        backend.start(r, events::add);
        events.stream().filter(InferenceEvent.TextDelta.class::isInstance)
                .forEach(e -> text.append(((InferenceEvent.TextDelta) e).text()));
        ctx.result(text.toString());
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String createKey(String body) throws Exception {
        HttpResponse<String> r = send("POST", "/admin/keys", body, "Authorization", "Bearer " + MASTER);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).get("key").asText();
    }

    @Test
    void missingAndWrongKeysGet401InEachDialect() throws Exception {
        HttpResponse<String> openai = send("POST", "/v1/chat/completions", "hi");
        assertThat(openai.statusCode()).isEqualTo(401);
        JsonNode o = JSON.readTree(openai.body());
        assertThat(o.at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(o.at("/error/type").asText()).isEqualTo("invalid_request_error");

        HttpResponse<String> anthropic = send("POST", "/v1/messages", "hi", "x-api-key", "tdm-wrong");
        assertThat(anthropic.statusCode()).isEqualTo(401);
        JsonNode a = JSON.readTree(anthropic.body());
        assertThat(a.get("type").asText()).isEqualTo("error");
        assertThat(a.at("/error/type").asText()).isEqualTo("authentication_error");

        // every endpoint, not only inference
        assertThat(send("GET", "/v1/models", null).statusCode()).isEqualTo(401);
        // open paths stay open
        assertThat(send("GET", "/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void metricsWantTheMasterKeyUnlessConfiguredOpen() throws Exception {
        String secret = createKey("{\"name\":\"team\"}");
        // Given the defaults: /metrics is not for everyone who can reach the port
        assertThat(send("GET", "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/metrics", null, "Authorization", "Bearer " + secret).statusCode()).isEqualTo(401);
        HttpResponse<String> scrape = send("GET", "/metrics", null, "Authorization", "Bearer " + MASTER);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("tandem_gate_rejections_total");

        // When the operator opens it
        restart(Map.of("metrics.open", "true"));
        // Then no key is needed
        assertThat(send("GET", "/metrics", null).statusCode()).isEqualTo(200);
    }

    @Test
    void everyMethodOnTheAdminPathsNeedsTheMasterKey() throws Exception {
        // HEAD never reaches a handler: the check must not be the handler's
        for (String path : List.of("/admin/keys", "/v1/usage", "/admin/keys/key_0123")) {
            for (String method : List.of("HEAD", "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
                assertThat(send(method, path, null).statusCode()).as(method + " " + path).isEqualTo(401);
            }
        }
        assertThat(send("HEAD", "/v1/models", null).statusCode()).isEqualTo(401);
        assertThat(send("OPTIONS", "/v1/chat/completions", null).statusCode()).isEqualTo(401);
        assertThat(send("HEAD", "/admin/keys", null, "Authorization", "Bearer " + MASTER).statusCode()).isEqualTo(200);
    }

    @Test
    void adminKeyBodiesAreReadAsStrictlyAsTheMainApi() throws Exception {
        // Given bodies the main API refuses: each is a 400 here too, naming what is wrong, and creates no key
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("{\"name\":\"x\"} garbage", "");
        refused.put("{\"name\":\"x\"}{\"name\":\"y\"}", "");
        refused.put("{\"name\":\"x\"}\u0000", "");
        refused.put("{\"name\":1}", "name");
        refused.put("{\"name\":\"x\",\"rpm\":\"5\"}", "rpm");
        refused.put("{\"name\":\"x\",\"rpm\":1.5}", "rpm");
        refused.put("{\"name\":\"x\",\"allowedModels\":[1]}", "allowedModels[0]");
        refused.put("{\"name\":\"x\",\"rmp\":5}", "rmp");
        for (var body : refused.entrySet()) {
            HttpResponse<String> r = send("POST", "/admin/keys", body.getKey(), "Authorization", "Bearer " + MASTER);
            assertThat(r.statusCode()).as(body.getKey() + " -> " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
            if (!body.getValue().isEmpty()) {
                assertThat(JSON.readTree(r.body()).at("/error/param").asText()).as(body.getKey()).isEqualTo(body.getValue());
            }
        }
        // and a body beyond the size limit is 413, as on the main API
        HttpResponse<String> huge = send("POST", "/admin/keys", "{\"name\":\"" + "x".repeat(5 << 20) + "\"}",
                "Authorization", "Bearer " + MASTER);
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(ops.keys().list()).isEmpty();
    }

    @Test
    void anAllowedModelsListWithANullIsA400NotA500() throws Exception {
        HttpResponse<String> r = send("POST", "/admin/keys", "{\"name\":\"x\",\"allowedModels\":[null]}",
                "Authorization", "Bearer " + MASTER);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).at("/error/message").asText()).contains("allowedModels[0]");
        assertThat(send("POST", "/admin/keys", "{\"name\":\"x\",\"allowedModels\":[\" \"]}", "Authorization", "Bearer " + MASTER)
                .statusCode()).isEqualTo(400);
        assertThat(ops.keys().list()).isEmpty();
    }

    @Test
    void usageRangesNoStoreCanHoldAreA400NotA500() throws Exception {
        for (String query : List.of("from=-1000000000-01-01T00:00:00Z", "to=-1000000000-01-01T00:00:00Z",
                "to=+1000000000-01-01T00:00:00Z", "from=10000-01-01T00:00:00Z")) {
            HttpResponse<String> r = send("GET", "/v1/usage?" + query, null, "x-api-key", MASTER);
            assertThat(r.statusCode()).as(query + " -> " + r.body()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).at("/error/param").asText()).isEqualTo(query.substring(0, query.indexOf('=')));
        }
        assertThat(send("GET", "/v1/usage?from=0000-01-01&to=9999-12-31T23:59:59Z", null, "x-api-key", MASTER).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aCreatedKeyWorksInBothHeaderFormsUntilRevoked() throws Exception {
        String secret = createKey("{\"name\":\"team\"}");
        assertThat(send("POST", "/v1/chat/completions", "hi", "Authorization", "Bearer " + secret).body()).isEqualTo("hello");
        assertThat(send("POST", "/v1/messages", "hi", "x-api-key", secret).body()).isEqualTo("hello");
        assertThat(send("GET", "/v1/models", null, "x-api-key", secret).statusCode()).isEqualTo(200);

        JsonNode keys = JSON.readTree(send("GET", "/admin/keys", null, "x-api-key", MASTER).body());
        String id = keys.at("/data/0/id").asText();
        assertThat(keys.toString()).doesNotContain(secret);
        assertThat(send("DELETE", "/admin/keys/" + id, null, "Authorization", "Bearer " + MASTER).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = send("POST", "/v1/messages", "hi", "x-api-key", secret);
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(revoked.body()).contains("revoked");
    }

    @Test
    void adminRoutesNeedTheMasterKeyNotAClientKey() throws Exception {
        String secret = createKey("{\"name\":\"team\"}");
        assertThat(send("GET", "/admin/keys", null, "x-api-key", secret).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/v1/usage", null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/admin/keys", "{\"name\":\"x\",\"policy\":\"everywhere\"}", "x-api-key", MASTER).statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/admin/keys", "not json", "x-api-key", MASTER).statusCode()).isEqualTo(400);
    }

    @Test
    void rateLimitIs429WithRetryAfterInTheDialectAndCountedInMetrics() throws Exception {
        String secret = createKey("{\"name\":\"slow\",\"rpm\":1}");
        assertThat(send("POST", "/v1/messages", "hi", "x-api-key", secret).statusCode()).isEqualTo(200);

        HttpResponse<String> limited = send("POST", "/v1/messages", "hi", "x-api-key", secret);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).get().satisfies(v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
        assertThat(JSON.readTree(limited.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");

        HttpResponse<String> openai = send("POST", "/v1/chat/completions", "hi", "Authorization", "Bearer " + secret);
        assertThat(JSON.readTree(openai.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");

        PromText metrics = PromText.parse(send("GET", "/metrics", null, "x-api-key", MASTER).body());
        assertThat(metrics.value("tandem_rate_limit_rejections_total", "limit", "rpm")).isEqualTo(2);
        assertThat(metrics.value("tandem_requests_total", "dialect", "anthropic", "backend", "local", "route", "primary", "status", "ok")).isEqualTo(1);
    }

    @Test
    void usageTotalsAreServedToTheMasterKey() throws Exception {
        String secret = createKey("{\"name\":\"u\"}");
        send("POST", "/v1/chat/completions", "hi", "x-api-key", secret);
        send("POST", "/v1/chat/completions", "hi", "x-api-key", secret);

        JsonNode usage = JSON.readTree(send("GET", "/v1/usage?from=2000-01-01", null, "x-api-key", MASTER).body());
        assertThat(usage.at("/data/0/requests").asLong()).isEqualTo(2);
        assertThat(usage.at("/data/0/promptTokens").asLong()).isEqualTo(6);
        assertThat(usage.at("/data/0/completionTokens").asLong()).isEqualTo(10);
        assertThat(usage.at("/data/0/backend").asText()).isEqualTo("local");
        assertThat(send("GET", "/v1/usage?from=tomorrow", null, "x-api-key", MASTER).statusCode()).isEqualTo(400);
    }
}
