package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.Engines;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full engine refuses at once with 429 (OpenAI) / 529 overloaded_error (Anthropic) and Retry-After, and recovers. */
class SaturationIT {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("engine.maxRunning", "1", "engine.maxWaiting", "0"), TestServer.longContext(), Engines::open, true);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aBusyEngineRefusesWithRetryAfterInEachDialectAndThenServesAgain() throws Exception {
        // Given the only slot held by a long stream
        HttpRequest hog = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":8000,\"ignore_eos\":true,\"stream\":true}"))
                .build();
        HttpResponse<InputStream> held = server.http().send(hog, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(held.statusCode()).isEqualTo(200);
        assertThat(server.awaitRunning(1, Duration.ofSeconds(5))).isTrue();

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
        for (HttpResponse<String> r : new HttpResponse[] {openAi, openAiStream, anthropic}) {
            assertThat(r.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
        }

        // And once the slot is free the server serves again
        held.body().close();
        assertThat(server.awaitIdle(Duration.ofSeconds(5))).isTrue();
        assertThat(server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode()).isEqualTo(200);
    }
}
