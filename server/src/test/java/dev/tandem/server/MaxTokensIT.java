package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller who sends no max_tokens gets the default lowered to the room the local window leaves after
 * the prompt (as vLLM does); an explicit max_tokens that does not fit is still refused.
 */
class MaxTokensIT {
    @TempDir
    static Path dir;
    static TestServer server;
    static int window;

    @BeforeAll
    static void start() {
        // the default chat max_tokens (512) is the whole window of the tiny model (512): it never fits as is
        server = TestServer.start(dir, Map.of("server.defaultMaxTokens", "512"));
        window = server.engine().model().contextLength();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aChatWithoutMaxTokensRunsToTheEndOfTheWindow() {
        // When a chat asks for no limit and never stops on its own
        HttpResponse<String> response = server.post("/v1/chat/completions",
                "{\"model\":\"tiny\",\"temperature\":0,\"ignore_eos\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        // Then it is served, and stops for length exactly where the window ends
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = TestServer.json(response.body());
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        int prompt = body.at("/usage/prompt_tokens").asInt();
        assertThat(prompt).isPositive();
        assertThat(prompt + body.at("/usage/completion_tokens").asInt()).isEqualTo(window);
    }

    @Test
    void aDefaultThatFitsIsNotLowered() {
        // legacy completions default to 16 tokens, far inside the window
        JsonNode body = TestServer.json(server.post("/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"Once upon\",\"temperature\":0,\"ignore_eos\":true}").body());
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(16);
    }

    @Test
    void anExplicitMaxTokensThatDoesNotFitIsStillRefused() {
        HttpResponse<String> response = server.post("/v1/chat/completions",
                "{\"model\":\"tiny\",\"max_tokens\":512,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        JsonNode error = ErrorsIT.openAiError(response, 400, "context window");
        assertThat(error.get("param").asText()).isEqualTo("max_tokens");
    }

    @Test
    void aPromptThatFillsTheWindowLeavesNoRoomEvenForADefault() {
        String ids = IntStream.range(0, window).mapToObj(i -> Integer.toString(1 + i % 100)).collect(Collectors.joining(","));
        HttpResponse<String> response = server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[" + ids + "]}");
        JsonNode error = ErrorsIT.openAiError(response, 400, "shorten the prompt");
        assertThat(error.get("param").asText()).isEqualTo("prompt");
    }

    @Test
    void aPromptThatCanNeverFitIsRefusedFromItsSizeBeforeItIsTokenised() {
        // Given a one-word prompt of a megabyte: thousands of times the window, and slow to tokenise
        String word = "a".repeat(1 << 20);
        // When it is sent as a chat or a legacy prompt
        HttpResponse<String> chat = server.post("/v1/chat/completions",
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"" + word + "\"}]}");
        HttpResponse<String> legacy = server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"" + word + "\"}");
        // Then each is refused from the least token count its bytes allow ("at least"), not from a count of its tokens
        assertThat(ErrorsIT.openAiError(chat, 400, "has at least").get("param").asText()).isEqualTo("messages");
        assertThat(ErrorsIT.openAiError(legacy, 400, "has at least").get("param").asText()).isEqualTo("prompt");
    }
}
