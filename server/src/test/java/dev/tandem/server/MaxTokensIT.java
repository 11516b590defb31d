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
 * A max_tokens the local window cannot hold after the prompt, sent or defaulted, is lowered to the room
 * the prompt leaves (as llama.cpp and Ollama do); {@code server.strictMaxTokens} refuses a sent one; a
 * prompt that alone fills the window is refused, stating its size and the window.
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
    void anExplicitMaxTokensThatDoesNotFitIsLoweredToTheRoomLeft() {
        // As coding agents send it: max_tokens 32000 to a model with a 512-token window, in both dialects
        JsonNode chat = TestServer.json(server.post("/v1/chat/completions", "{\"model\":\"tiny\",\"max_tokens\":32000,"
                + "\"temperature\":0,\"ignore_eos\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").body());
        assertThat(chat.at("/choices/0/finish_reason").asText()).as(chat.toString()).isEqualTo("length");
        assertThat(chat.at("/usage/prompt_tokens").asInt() + chat.at("/usage/completion_tokens").asInt()).isEqualTo(window);
        HttpResponse<String> messages = server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":32000,\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "anthropic-version", "2023-06-01");
        assertThat(messages.statusCode()).as(messages.body()).isEqualTo(200);
        assertThat(TestServer.json(messages.body()).get("stop_reason").asText()).isIn("max_tokens", "end_turn");
    }

    @Test
    void strictMaxTokensRefusesAnExplicitOneThatDoesNotFit(@TempDir Path strictDir) {
        try (TestServer strict = TestServer.start(strictDir, Map.of("server.strictMaxTokens", "true"))) {
            HttpResponse<String> response = strict.post("/v1/chat/completions",
                    "{\"model\":\"tiny\",\"max_tokens\":512,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            JsonNode error = ErrorsIT.openAiError(response, 400, "context window");
            assertThat(error.get("param").asText()).isEqualTo("max_tokens");
        }
    }

    @Test
    void aChatPromptLongerThanTheWindowStatesItsSizeAndTheWindow() {
        HttpResponse<String> response = server.post("/v1/chat/completions", "{\"model\":\"tiny\",\"max_tokens\":16,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + "many words ".repeat(400) + "\"}]}");
        JsonNode error = ErrorsIT.openAiError(response, 400, "context window of " + window + " tokens");
        assertThat(error.get("param").asText()).isEqualTo("messages");
        assertThat(error.get("message").asText()).containsPattern("the prompt has \\d+ tokens");
        HttpResponse<String> anthropic = server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":16,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + "many words ".repeat(400) + "\"}]}", "anthropic-version", "2023-06-01");
        ErrorsIT.anthropicError(anthropic, 400, "invalid_request_error", "context window of " + window + " tokens");
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
