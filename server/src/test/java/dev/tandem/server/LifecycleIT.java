package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.Engine;
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
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's life around the model: answering before it is loaded, and a stream whose engine goes away. */
class LifecycleIT {

    @Test
    void healthAnswersAtOnceAndReadyOnlyOnceTheModelIsLoaded(@TempDir Path dir) throws Exception {
        // Given a model whose loading waits for a signal
        CountDownLatch mayLoad = new CountDownLatch(1);
        try (TestServer server = TestServer.start(dir, Map.of(), TestServer.longContext().withMaxPositions(512), config -> {
            try {
                mayLoad.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Engines.open(config);
        }, false)) {
            // Then, while it loads: alive, not ready, and requests are refused as retriable
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
            assertThat(server.get("/ready").statusCode()).isEqualTo(503);
            HttpResponse<String> early = server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            ErrorsIT.anthropicError(early, 529, "overloaded_error", "loading");
            assertThat(early.headers().firstValue("retry-after")).isPresent();

            // When it has loaded
            mayLoad.countDown();
            server.tandem().local().awaitReady(Duration.ofSeconds(20));

            assertThat(server.get("/ready").statusCode()).isEqualTo(200);
            assertThat(server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aStreamWhoseEngineStopsEndsWithAnErrorEventInEachDialect(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir, Map.of(), TestServer.longContext(), Engines::open, true)) {
            Engine engine = server.engine();
            // Given two long streams that have begun
            BufferedReader openAi = begin(server, "/v1/chat/completions",
                    "{\"model\":\"tiny\",\"max_tokens\":8000,\"ignore_eos\":true,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            BufferedReader anthropic = begin(server, "/v1/messages",
                    "{\"model\":\"tiny\",\"max_tokens\":8000,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

            // When the engine stops under them
            engine.close();

            // Then each stream ends with an error in its dialect, not a silent close
            String openAiRest = openAi.lines().collect(Collectors.joining("\n"));
            String anthropicRest = anthropic.lines().collect(Collectors.joining("\n"));
            assertThat(openAiRest).contains("data: {\"error\":").doesNotContain("[DONE]");
            assertThat(anthropicRest).contains("event: error\ndata: {\"type\":\"error\"").doesNotContain("message_stop");
        }
    }

    /** Starts a stream and reads its first frames; the reader holds the rest. */
    private static BufferedReader begin(TestServer server, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> response = server.http().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        for (int frames = 0; frames < 3; ) {
            String line = reader.readLine();
            assertThat(line).isNotNull();
            if (line.startsWith("data: ")) {
                frames++;
            }
        }
        return reader;
    }
}
