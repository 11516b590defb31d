package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input gets a clear 4xx in the caller's dialect, naming what to fix; never a 500. Also the
 * small endpoints: health, tokenize, count_tokens, request ids.
 */
class ErrorsIT {
    @TempDir
    static Path dir;
    static TestServer server;

    static final String USER = "[{\"role\":\"user\",\"content\":\"hi\"}]";

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("server.maxBodyBytes", "4096"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** OpenAI's error shape, with the message mentioning {@code mentions}. */
    static JsonNode openAiError(HttpResponse<String> response, int status, String mentions) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode error = TestServer.json(response.body()).get("error");
        assertThat(error).as(response.body()).isNotNull();
        assertThat(error.has("type") && error.has("param") && error.has("code")).isTrue();
        assertThat(error.get("message").asText()).containsIgnoringCase(mentions);
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
        return error;
    }

    static JsonNode anthropicError(HttpResponse<String> response, int status, String type, String mentions) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = TestServer.json(response.body());
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.at("/error/type").asText()).isEqualTo(type);
        assertThat(body.at("/error/message").asText()).containsIgnoringCase(mentions);
        return body;
    }

    @ParameterizedTest(name = "chat {0}")
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"tiny\",                                          | not valid JSON",
        "[]                                                            | JSON object",
        "{\"model\":\"tiny\",\"max_tokens\":\"5\",\"messages\":" + USER + "}         | max_tokens",
        "{\"model\":\"tiny\",\"max_tokens\":-5,\"messages\":" + USER + "}            | max_tokens",
        "{\"model\":\"tiny\",\"max_tokens\":1000000000,\"messages\":" + USER + "}    | max_tokens",
        "{\"model\":\"tiny\",\"temperature\":-1,\"messages\":" + USER + "}           | temperature",
        "{\"model\":\"tiny\",\"n\":1000,\"messages\":" + USER + "}                   | n",
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\"}]}                      | messages[0].content",
        "{\"model\":\"tiny\",\"max_tokens\":600,\"messages\":" + USER + "}           | context",
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://x/y.png\"}}]}]} | image",
        "{\"model\":\"tiny\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}],\"messages\":" + USER + "} | tools",
    })
    void badChatRequestsGet400InOpenAiShape(String body, String mentions) {
        openAiError(server.post("/v1/chat/completions", body), 400, mentions);
    }

    @ParameterizedTest(name = "messages {0}")
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"tiny\",                                           | not valid JSON",
        "{\"model\":\"tiny\",\"messages\":" + USER + "}                 | max_tokens",
        "{\"model\":\"tiny\",\"max_tokens\":true,\"messages\":" + USER + "}      | max_tokens",
        "{\"model\":\"tiny\",\"max_tokens\":0,\"messages\":" + USER + "}         | max_tokens",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"top_k\":-1,\"messages\":" + USER + "} | top_k",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"stop_sequences\":\"x\",\"messages\":" + USER + "} | stop_sequences",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]} | role",
        "{\"model\":\"tiny\",\"max_tokens\":600,\"messages\":" + USER + "}       | context",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"AAAA\"}}]}]} | image",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}],\"messages\":" + USER + "} | tools",
    })
    void badMessagesRequestsGet400InAnthropicShape(String body, String mentions) {
        anthropicError(server.post("/v1/messages", body, "anthropic-version", "2023-06-01"), 400, "invalid_request_error", mentions);
    }

    @Test
    void unknownModelIs404InBothDialects() {
        JsonNode openAi = openAiError(server.post("/v1/chat/completions", "{\"model\":\"gpt-17\",\"messages\":" + USER + "}"), 404, "gpt-17");
        assertThat(openAi.get("param").asText()).isEqualTo("model");
        assertThat(openAi.get("code").asText()).isEqualTo("model_not_found");
        openAiError(server.post("/v1/completions", "{\"model\":\"gpt-17\",\"prompt\":\"x\"}"), 404, "gpt-17");
        anthropicError(server.post("/v1/messages", "{\"model\":\"claude-9\",\"max_tokens\":5,\"messages\":" + USER + "}"),
                404, "not_found_error", "claude-9");
    }

    @Test
    void bodiesOverTheLimitAre413InBothDialects() {
        String huge = "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"" + "a".repeat(8000) + "\"}]}";

        openAiError(server.post("/v1/chat/completions", huge), 413, "larger");
        anthropicError(server.post("/v1/messages", huge), 413, "request_too_large", "larger");
    }

    @Test
    void completionsRejectBadPromptsAndContextOverflow() {
        openAiError(server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[1,\"a\"]}"), 400, "prompt");
        openAiError(server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[999999]}"), 400, "");
        openAiError(server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":100000}"), 400, "");
        openAiError(server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[1,2],\"suffix\":\"x\"}"), 400, "suffix");
    }

    @Test
    void unknownRoutesAre404InTheRightShape() {
        openAiError(server.get("/v1/nothing-here"), 404, "/v1/nothing-here");
        anthropicError(server.post("/v1/messages/nothing", "{}"), 404, "not_found_error", "nothing");
    }

    @Test
    void requestIdsAreEchoedOrGenerated() {
        HttpResponse<String> given = server.get("/health", "x-request-id", "abc-123");
        HttpResponse<String> generated = server.get("/health");
        HttpResponse<String> unsafe = server.get("/health", "x-request-id", "bad id with spaces");

        assertThat(given.headers().firstValue("x-request-id")).hasValue("abc-123");
        assertThat(generated.headers().firstValue("x-request-id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
        assertThat(unsafe.headers().firstValue("x-request-id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
    }

    @Test
    void healthAndReadyAnswerOnceLoaded() {
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = server.get("/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(ready.body()).get("status").asText()).isEqualTo("ready");
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() {
        JsonNode tokens = TestServer.json(server.post("/tokenize", "{\"model\":\"tiny\",\"prompt\":\"hello world\"}").body());
        assertThat(tokens.get("count").asInt()).isEqualTo(tokens.get("tokens").size()).isPositive();
        assertThat(tokens.get("max_model_len").asInt()).isEqualTo(512);

        String ids = tokens.get("tokens").toString();
        JsonNode text = TestServer.json(server.post("/detokenize", "{\"model\":\"tiny\",\"tokens\":" + ids + "}").body());
        assertThat(text.get("prompt").asText()).isEqualTo("hello world");

        JsonNode withoutBos = TestServer.json(server.post("/tokenize", "{\"prompt\":\"hello world\",\"add_special_tokens\":false}").body());
        assertThat(withoutBos.get("count").asInt()).isEqualTo(tokens.get("count").asInt() - 1);

        openAiError(server.post("/detokenize", "{\"tokens\":[1,99999]}"), 400, "99999");
        openAiError(server.post("/detokenize", "{\"tokens\":\"abc\"}"), 400, "tokens");
        openAiError(server.post("/tokenize", "{}"), 400, "prompt");
    }

    @Test
    void countTokensAgreesWithTokenizeOfTheChatPrompt() {
        String messages = "[{\"role\":\"user\",\"content\":\"hello\"}]";
        JsonNode counted = TestServer.json(server.post("/v1/messages/count_tokens",
                "{\"model\":\"tiny\",\"system\":\"be kind\",\"messages\":" + messages + "}").body());
        JsonNode tokenized = TestServer.json(server.post("/tokenize",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"be kind\"},{\"role\":\"user\",\"content\":\"hello\"}]}").body());

        assertThat(counted.get("input_tokens").asInt()).isEqualTo(tokenized.get("count").asInt()).isPositive();
        anthropicError(server.post("/v1/messages/count_tokens", "{\"messages\":" + messages + "}"), 400, "invalid_request_error", "model");
    }

    @Test
    void noGarbageGivesA500() {
        String[] bodies = {"", "null", "0", "\"x\"", "{\"model\":null}", "{\"model\":\"tiny\",\"messages\":[null]}",
            "{\"model\":\"tiny\",\"messages\":[{\"role\":5}]}", "{\"model\":\"tiny\",\"prompt\":[[]]}", "{\"model\":[],\"prompt\":\"x\"}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}",
            "{\"model\":\"tiny\",\"stream\":true,\"max_tokens\":-5,\"n\":-1}",
            "{\"model\":\"tiny\",\"prompt\":5,\"logprobs\":true}", "{\"model\":\"tiny\",\"max_tokens\":5,\"metadata\":7}",
            "\u0000\u0001", "{\"a\":" + "[".repeat(500) + "]".repeat(500) + "}"};
        for (String path : new String[] {"/v1/chat/completions", "/v1/completions", "/v1/messages", "/v1/messages/count_tokens", "/tokenize", "/detokenize"}) {
            for (String body : bodies) {
                HttpResponse<String> response = server.post(path, body);
                assertThat(response.statusCode()).as(path + " " + body + " -> " + response.body()).isBetween(400, 499);
                assertThat(TestServer.json(response.body()).has("error")).isTrue();
            }
        }
    }
}
