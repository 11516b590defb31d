package dev.tandem.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.api.anthropic.Messages;
import dev.tandem.server.api.openai.ChatCompletions;
import dev.tandem.server.api.openai.Completions;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.ModelCard;
import dev.tandem.server.core.ModelCatalog;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import io.javalin.Javalin;
import io.javalin.http.Context;
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
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the dialect edges hand on about the caller: never a credential, the {@link Caller} that
 * authentication found (no client header can claim one), and the routing policy the request asks for.
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
        // the caller, as authentication before the handler finds it: key k1 with a local-only policy
        Function<Context, Caller> callers = ctx -> ctx.header("x-test-gate") != null
                ? new Caller("k1", Policy.LOCAL_ONLY, Caller.Limits.NONE) : Caller.ANONYMOUS;
        ServePath edge = new ServePath(new RecordingBackend(), models, new Bodies(1 << 16), callers, 1000);
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.before(RequestIds::assign);
            cfg.routes.post("/v1/chat/completions", edge.handler(new ChatCompletions(16)));
            cfg.routes.post("/v1/completions", edge.handler(new Completions()));
            cfg.routes.post("/v1/messages", edge.handler(new Messages()));
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

    static HttpResponse<String> send(String path, String... headers) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .headers(headers)
                .POST(HttpRequest.BodyPublishers.ofString(BODIES.get(path)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static InferenceRequest post(String path, String... headers) throws Exception {
        HttpResponse<String> response = send(path, headers);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(seen).hasSize(1);
        return seen.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/chat/completions", "/v1/completions", "/v1/messages"})
    void credentialsNeverReachTheBackend(String path) throws Exception {
        // When a caller sends every kind of credential, and an ordinary header
        InferenceRequest request = post(path,
                "Authorization", "Bearer sk-secret-1",
                "X-Api-Key", "sk-ant-secret-2",
                "Cookie", "session=secret-3",
                "Proxy-Authorization", "Basic c2VjcmV0LTQ=",
                "X-Tandem-Policy", "local-only");

        // Then none of their values is anywhere in the internal request
        assertThat(request.toString()).doesNotContain("secret").doesNotContain("c2VjcmV0LTQ=");
        // while the caller's routing preference does travel on
        assertThat(request.policy()).isEqualTo(Policy.LOCAL_ONLY);
    }

    @Test
    void theCallerIsWhomAuthenticationFoundWhateverTheClientClaims() {
        // When a client claims another key and a wider policy, and authentication found its own
        InferenceRequest request = postUnchecked("/v1/chat/completions",
                "x-test-gate", "on",
                "X-Tandem-Key-Id", "admin",
                "X-Tandem-Key-Policy", "remote-only");

        // Then the backend sees the authenticated caller only
        assertThat(request.caller()).isEqualTo(new Caller("k1", Policy.LOCAL_ONLY, Caller.Limits.NONE));
        assertThat(request.policy()).isNull();
    }

    @Test
    void aClientCannotClaimAKeyWhereNoAuthenticationRuns() {
        // When no authentication runs (auth off) and the client sends key headers itself
        InferenceRequest request = postUnchecked("/v1/completions",
                "X-Tandem-Key-Id", "admin",
                "x-tandem-key-policy", "remote-only");

        // Then they mean nothing at the edge
        assertThat(request.caller()).isEqualTo(Caller.ANONYMOUS);
        assertThat(request.policy()).isNull();
    }

    @Test
    void anUnknownRoutingPolicyIsA400NamingTheHeader() throws Exception {
        HttpResponse<String> response = send("/v1/chat/completions", "x-tandem-policy", "cloud-please");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"param\":\"x-tandem-policy\"").contains("cloud-please");
        assertThat(seen).isEmpty();
    }

    private static InferenceRequest postUnchecked(String path, String... headers) {
        try {
            return post(path, headers);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
