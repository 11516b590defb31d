package dev.tandem.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.api.anthropic.Messages;
import dev.tandem.server.api.openai.ChatCompletions;
import dev.tandem.server.api.openai.Completions;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.ModelCard;
import dev.tandem.server.core.ModelCatalog;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the dialect edges hand on in {@link InferenceRequest#headers()}: never the caller's credentials,
 * never a client-sent {@code x-tandem-key-*}, and what a gate derived wins over what the client sent.
 * The real edges and route table shape run on loopback; the backend only records what reached it.
 */
class EdgeHeadersIT {
    static final List<InferenceRequest> seen = new CopyOnWriteArrayList<>();
    static Javalin app;
    static final HttpClient http = HttpClient.newHttpClient();

    /** Records each request and answers "ok" at once. */
    static final class RecordingBackend implements Backend {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Optional<String> cannotServe(InferenceRequest request) {
            return Optional.empty();
        }

        @Override
        public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
            seen.add(request);
            sink.accept(new InferenceEvent.Started(name(), request.model(), 1));
            sink.accept(new InferenceEvent.TextDelta("ok", null));
            sink.accept(new InferenceEvent.Finished(StopReason.END_TURN, new TokenUsage(1, 1), null));
            return () -> {};
        }
    }

    @BeforeAll
    static void start() {
        ModelCatalog models = () -> List.of(new ModelCard("m", "test", 0, null));
        Edge edge = new Edge(new RecordingBackend(), models, new Bodies(1 << 16), 16, 1000);
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.before(RequestIds::assign);
            // a gate, as ops plugs it in: it authenticated the caller as key k1 with a local-only policy
            cfg.routes.before(ctx -> {
                if (ctx.header("x-test-gate") != null) {
                    Params.deriveHeader(ctx, "X-Tandem-Key-Id", "k1");
                    Params.deriveHeader(ctx, "x-tandem-key-policy", "local-only");
                }
            });
            cfg.routes.post("/v1/chat/completions", new ChatCompletions(edge)::handle);
            cfg.routes.post("/v1/completions", new Completions(edge)::handle);
            cfg.routes.post("/v1/messages", new Messages(edge)::handle);
            cfg.routes.exception(ApiException.class, ErrorResponses::apiError);
        }).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @BeforeEach
    void clear() {
        seen.clear();
    }

    static final Map<String, String> BODIES = Map.of(
            "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}",
            "/v1/messages", "{\"model\":\"m\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    static Map<String, String> post(String path, String... headers) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .headers(headers)
                .POST(HttpRequest.BodyPublishers.ofString(BODIES.get(path)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(seen).hasSize(1);
        return seen.get(0).headers();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/chat/completions", "/v1/completions", "/v1/messages"})
    void credentialsNeverReachTheBackend(String path) throws Exception {
        // When a caller sends every kind of credential, and an ordinary header
        Map<String, String> headers = post(path,
                "Authorization", "Bearer sk-secret-1",
                "X-Api-Key", "sk-ant-secret-2",
                "Cookie", "session=secret-3",
                "Proxy-Authorization", "Basic c2VjcmV0LTQ=",
                "X-Tandem-Policy", "local-only");

        // Then none of them is in the internal request, under any spelling, nor any of their values
        assertThat(headers).doesNotContainKeys("authorization", "x-api-key", "cookie", "proxy-authorization");
        assertThat(headers.keySet()).allSatisfy(name -> assertThat(name).isLowerCase());
        assertThat(headers.values()).noneSatisfy(v -> assertThat(v).contains("secret"));
        // while the caller's routing preference does travel on
        assertThat(headers).containsEntry("x-tandem-policy", "local-only");
    }

    @Test
    void aGatesDerivedHeadersReplaceWhatTheClientSent() throws Exception {
        // When a client claims another key and a wider policy, and the gate derives its own
        Map<String, String> headers = post("/v1/chat/completions",
                "x-test-gate", "on",
                "X-Tandem-Key-Id", "admin",
                "X-Tandem-Key-Policy", "remote-only");

        // Then the backend sees the gate's values only
        assertThat(headers).containsEntry("x-tandem-key-id", "k1").containsEntry("x-tandem-key-policy", "local-only");
    }

    @Test
    void aClientCannotInjectKeyHeadersWhereNoGateDerivesThem() throws Exception {
        // When no gate runs (auth off) and the client sends the gate's headers itself
        Map<String, String> headers = post("/v1/completions",
                "X-Tandem-Key-Id", "admin",
                "x-tandem-key-policy", "remote-only");

        // Then they are dropped at the edge
        assertThat(headers).doesNotContainKeys("x-tandem-key-id", "x-tandem-key-policy");
    }
}
