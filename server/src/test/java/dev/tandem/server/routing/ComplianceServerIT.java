package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.TestServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A local-only server with working upstream keys configured: whatever is asked — a remote model, a
 * wider policy, images — and however busy the engine, no connection ever reaches an upstream.
 */
class ComplianceServerIT extends HybridServerSetup {

    @Override
    protected String policy() {
        return "local-only";
    }

    @Test
    void noUpstreamConnectionEvenWhenSaturatedAndAskedForRemote() throws Exception {
        // Given the only slot held by a long stream
        HttpRequest hog = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":8000,\"ignore_eos\":true,\"stream\":true}"))
                .build();
        HttpResponse<InputStream> held = server.http().send(hog, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(server.awaitRunning(1, Duration.ofSeconds(60))).isTrue();
        try {
            // When asked for the local model while busy: 429 / 529 with Retry-After, never a remote answer
            HttpResponse<String> busy = server.post("/v1/chat/completions",
                    "{\"model\":\"auto\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            openAiError(busy, 429, "busy");
            assertThat(busy.headers().firstValue("retry-after")).isPresent();
            HttpResponse<String> busyAnthropic = server.post("/v1/messages",
                    "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "anthropic-version", "2023-06-01");
            anthropicError(busyAnthropic, 529, "overloaded_error", "busy");

            // When asked for remote models, or for remote-only, in both dialects: a clear 403
            HttpResponse<String> claude = server.post("/v1/chat/completions",
                    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            openAiError(claude, 403, "local-only");
            HttpResponse<String> gpt = server.post("/v1/messages",
                    "{\"model\":\"gpt-4o\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "anthropic-version", "2023-06-01");
            anthropicError(gpt, 403, "permission_error", "local-only");
            HttpResponse<String> wider = server.post("/v1/chat/completions",
                    "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                    "x-tandem-policy", "remote-only");
            assertThat(wider.statusCode()).isEqualTo(403);
            // And a request only a remote could serve (an image) is refused locally
            HttpResponse<String> image = server.post("/v1/chat/completions",
                    "{\"model\":\"auto\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                            + "\"image_url\":{\"url\":\"http://x/y.png\"}}]}]}");
            assertThat(image.statusCode()).isEqualTo(400);
            assertThat(image.body()).contains("local-only");
        } finally {
            held.body().close();
        }
        // Then not a single connection reached either upstream
        assertThat(anthropic.connections()).isZero();
        assertThat(openai.connections()).isZero();
    }

    private static void openAiError(HttpResponse<String> response, int status, String mentions) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = TestServer.json(response.body()).get("error");
        assertThat(error).as(response.body()).isNotNull();
        assertThat(error.get("message").asText()).containsIgnoringCase(mentions);
    }

    private static void anthropicError(HttpResponse<String> response, int status, String type, String mentions) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = TestServer.json(response.body());
        assertThat(body.at("/error/type").asText()).isEqualTo(type);
        assertThat(body.at("/error/message").asText()).containsIgnoringCase(mentions);
    }
}
