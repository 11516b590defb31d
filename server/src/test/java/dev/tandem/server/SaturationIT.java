package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.Engines;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One slot and one queue place: a queued stream hears pings while it waits; beyond the queue the
 * engine refuses at once with 429 (OpenAI) / 529 overloaded_error (Anthropic) and Retry-After; and
 * it recovers.
 */
class SaturationIT {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        // An endless model: the queued Anthropic stream (a dialect with no ignore_eos) must get text once the
        // hog goes, and a random model sampling at temperature 1 would sometimes end it at its first token;
        // a window no test outlives, so that the hog holds the slot until the test closes it
        server = TestServer.start(dir, Map.of("engine.maxRunning", "1", "engine.maxWaiting", "1", "server.pingIntervalMs", "50"),
                TestServer.hogContext().withEndless(true), Engines::open, true);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<InputStream> open(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return server.http().send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void aQueuedStreamIsPingedAndBeyondTheQueueRequestsAreRefusedUntilTheEngineDrains() throws Exception {
        // Given the only slot held by a stream that lasts until the test closes it
        Hog hog = Hog.start(server);
        assertThat(server.awaitRunning(1, Duration.ofSeconds(60))).isTrue();

        // and a second stream waiting in the queue: it has begun, and hears pings while it waits
        HttpResponse<InputStream> queued = open("/v1/messages",
                "{\"model\":\"tiny\",\"max_tokens\":4,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(queued.statusCode()).isEqualTo(200);
        BufferedReader queuedReader = new BufferedReader(new InputStreamReader(queued.body(), StandardCharsets.UTF_8));
        List<String> events = new ArrayList<>();
        while (events.stream().filter("event: ping"::equals).count() < 3) {
            String line = queuedReader.readLine();
            assertThat(line).isNotNull();
            if (line.startsWith("event: ")) {
                events.add(line);
            }
        }
        assertThat(events).startsWith("event: message_start", "event: ping").doesNotContain("event: content_block_delta");
        assertThat(server.engine().load().waiting()).isEqualTo(1);

        // When others ask
        HttpResponse<String> openAi = server.post("/v1/chat/completions",
                "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        HttpResponse<String> openAiStream = server.post("/v1/chat/completions",
                "{\"model\":\"tiny\",\"max_tokens\":4,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        HttpResponse<String> anthropic = server.post("/v1/messages",
                "{\"model\":\"tiny\",\"max_tokens\":4,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        // Then each is refused in its own dialect, before any stream began
        ErrorsIT.openAiError(openAi, 429, "busy");
        assertThat(TestServer.json(openAi.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");
        ErrorsIT.openAiError(openAiStream, 429, "busy");
        ErrorsIT.anthropicError(anthropic, 529, "overloaded_error", "busy");
        for (HttpResponse<String> r : List.of(openAi, openAiStream, anthropic)) {
            assertThat(r.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
        }

        // And once the hog goes, the queued stream completes and new requests are served
        hog.close();
        String rest = String.join("\n", queuedReader.lines().toList()).strip();
        assertThat(rest).contains("event: content_block_delta").contains("event: message_delta").endsWith("data: {\"type\":\"message_stop\"}");
        assertThat(server.awaitIdle(Duration.ofSeconds(60))).isTrue();
        assertThat(server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void aRequestThatCanNeverFitTheEngineIsRefusedWith400SayingTheLimitNot429() throws Exception {
        // Given an idle engine that holds two requests at most (one slot, one queue place)
        assertThat(server.awaitIdle(Duration.ofSeconds(60))).isTrue();

        // When one request asks for more generations at once than that: n, or prompts × n, streamed or not
        String chat = "{\"model\":\"tiny\",\"max_tokens\":2,\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        HttpResponse<String> choices = server.post("/v1/chat/completions", chat + "}");
        HttpResponse<String> streamed = server.post("/v1/chat/completions", chat + ",\"stream\":true}");
        HttpResponse<String> prompts = server.post("/v1/completions",
                "{\"model\":\"tiny\",\"max_tokens\":2,\"prompt\":[\"a\",\"b\",\"c\"]}");

        // Then each is a 400 that says the limit, with no Retry-After to loop on
        for (HttpResponse<String> r : List.of(choices, streamed, prompts)) {
            ErrorsIT.openAiError(r, 400, "at most 2 at once");
            assertThat(TestServer.json(r.body()).at("/error/param").asText()).isEqualTo("n");
            assertThat(r.headers().firstValue("retry-after")).isEmpty();
        }
        // And a request within the limit is served
        assertThat(server.post("/v1/chat/completions", chat.replace("\"n\":3", "\"n\":2") + "}").statusCode()).isEqualTo(200);
    }
}
