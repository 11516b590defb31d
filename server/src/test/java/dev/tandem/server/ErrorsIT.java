package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://x/y.png\"}}]}]} | image",
        "{\"model\":\"tiny\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"g\"}},\"messages\":" + USER + "} | tool_choice",
        "{\"model\":\"tiny\",\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"apply_patch\"}}],\"messages\":" + USER + "} | tools[0].type",
        "{\"model\":\"tiny\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}},\"messages\":" + USER + "} | response_format.json_schema.schema",
        "{\"model\":\"tiny\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"strict\":true,\"schema\":{\"type\":\"integer\",\"minimum\":2}}},\"messages\":" + USER + "} | 'minimum'",
        "{\"model\":\"tiny\",\"functions\":[{\"name\":\"f\"}],\"messages\":" + USER + "} | functions",
        "{\"model\":\"tiny\",\"guided_json\":{\"type\":\"object\"},\"messages\":" + USER + "} | response_format",
        "{\"model\":\"tiny\",\"audio\":{\"voice\":\"alloy\",\"format\":\"mp3\"},\"messages\":" + USER + "} | audio",
        "{\"model\":\"tiny\",\"logit_bias\":{\"x\":1},\"messages\":" + USER + "} | logit_bias",
        "{\"model\":\"tiny\",\"logit_bias\":{\"100000\":1},\"messages\":" + USER + "} | logit_bias",
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
        "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]} | user or assistant",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]} | role",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"output_config\":{\"format\":{\"type\":\"json_object\"}},\"messages\":" + USER + "} | output_config.format.type",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}],\"messages\":" + USER + "} | server tools",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"mcp_servers\":[{\"type\":\"url\",\"url\":\"https://x\",\"name\":\"x\"}],\"messages\":" + USER + "} | mcp_servers",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"AAAA\"}}]}]} | image",
        "{\"model\":\"tiny\",\"max_tokens\":5,\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":{\"type\":\"tool\"},\"messages\":" + USER + "} | tool_choice.name",
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
    void completionsRejectBadPromptsAndAbsurdMaxTokens() {
        openAiError(server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[1,\"a\"]}"), 400, "prompt");
        openAiError(server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[999999]}"), 400, "");
        openAiError(server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":2000000}"), 400, "max_tokens");
        openAiError(server.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[1,2],\"suffix\":\"x\"}"), 400, "suffix");
    }

    @Test
    void unknownRoutesAre404InTheRightShape() {
        openAiError(server.get("/v1/nothing-here"), 404, "/v1/nothing-here");
        anthropicError(server.post("/v1/messages/nothing", "{}"), 404, "not_found_error", "nothing");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "GET, /v1/models/%00",
        "GET, /v1/models/%ff%fe",
        "DELETE, /admin/keys/%00",
        "POST, /v1/chat/completions%00",
        "PUT, /v1/models/%c0",
    })
    void requestsJettyRefusesBeforeAnyRouteGetJsonNeverAnHtmlPage(String method, String path) throws Exception {
        HttpResponse<String> r = server.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + path))
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build());

        JsonNode error = openAiError(r, 400, "percent-encodings");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(r.body()).doesNotContain("<html");
    }

    /** Jetty closes the connection of a request it could not read: the answer must say so, or a pooling client sends its next request into the closed socket. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"GET /v1/models/%00", "POST /v1/chat/completions%00", "GET /v1/models/%ff%fe"})
    void aRequestJettyCouldNotReadIsAnsweredWithConnectionClose(String requestLine) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", java.net.URI.create(server.baseUrl()).getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            java.io.BufferedReader rest = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            List<String> headers = new java.util.ArrayList<>();
            for (String line = rest.readLine(); line != null && !line.isEmpty(); line = rest.readLine()) {
                headers.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(head).startsWith("HTTP/1.1 400");
            assertThat(headers).as(String.join("\n", headers)).contains("connection: close");
        }
    }

    @Test
    void anAnthropicCallerJettyRefusesGetsAnthropicsShape() throws Exception {
        HttpResponse<String> r = server.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/v1/messages/%ff"))
                .header("anthropic-version", "2023-06-01").GET().build());

        anthropicError(r, 400, "invalid_request_error", "percent-encodings");
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

    /** Each body gets an answer, or a 400 in the endpoint's dialect. */
    static void assertAnswerOr400(String path, String... bodies) {
        for (String body : bodies) {
            HttpResponse<String> r = server.post(path, body);
            assertThat(r.statusCode()).as(path + " " + body + " -> " + r.body()).isIn(200, 400);
            if (r.statusCode() == 400) {
                assertDialectError(path, r, path + " " + body);
            }
        }
    }

    /** Anthropic's shape on /v1/messages*, OpenAI's everywhere else. */
    static void assertDialectError(String path, HttpResponse<String> response, String what) {
        assertThat(response.statusCode()).as(what + " -> " + response.body()).isBetween(400, 499);
        JsonNode body = TestServer.json(response.body());
        if (path.startsWith("/v1/messages")) {
            assertThat(body.path("type").asText()).as(what).isEqualTo("error");
            assertThat(body.at("/error/type").asText()).as(what).isNotEmpty();
        } else {
            assertThat(body.at("/error/type").asText()).as(what).isNotEmpty();
            assertThat(body.path("error").has("param") && body.path("error").has("code")).as(what).isTrue();
        }
        assertThat(body.at("/error/message").asText()).as(what).isNotBlank();
    }

    /**
     * Fuzz-style: malformed and edge bodies on every POST endpoint get a 4xx in the endpoint's dialect
     * (or, where the body is in fact valid, a success), and the server serves a real request afterwards.
     */
    @Test
    void malformedBodiesGet4xxInTheCallersDialectAndTheServerKeepsServing() throws Exception {
        String msgs = "\"messages\":" + USER;
        String[] bodies = {
            // huge and odd numbers
            "{\"model\":\"tiny\",\"max_tokens\":99999999999999999999999," + msgs + ",\"prompt\":\"x\",\"tokens\":[1]}",
            "{\"model\":\"tiny\",\"max_tokens\":1e400," + msgs + ",\"prompt\":\"x\"}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"temperature\":1e999," + msgs + ",\"prompt\":\"x\"}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"top_p\":-1e-999999," + msgs + ",\"prompt\":\"x\",\"seed\":1e30}",
            "{\"model\":\"tiny\",\"max_tokens\":5.5," + msgs + ",\"prompt\":\"x\"}",
            "{\"model\":\"tiny\",\"prompt\":[99999999999999999999],\"tokens\":[99999999999999999999]," + msgs + "}",
            "{\"model\":\"tiny\",\"prompt\":[-1],\"tokens\":[-1],\"max_tokens\":-1," + msgs + "}",
            // nulls everywhere
            "{\"model\":null,\"messages\":null,\"max_tokens\":null,\"prompt\":null,\"tokens\":null,\"stream\":null}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":null,\"content\":null}],\"prompt\":[null],\"tokens\":[null]}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[null]}],\"prompt\":[[null]],\"tokens\":null}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":null,\"text\":null}]}],\"prompt\":{}}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"stop\":[null],\"stop_sequences\":[null],\"messages\":[],\"prompt\":[]}",
            // wrong shapes
            "{\"model\":{\"x\":1},\"messages\":{},\"prompt\":true,\"tokens\":{}}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"system\":5,\"stream\":\"yes\",\"messages\":\"hi\",\"prompt\":[[1],\"a\"]}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\"}}],\"prompt\":[[1],[]]}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[[]],\"prompt\":[1.5]}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"stream_options\":[],\"metadata\":[],\"logprobs\":\"x\"," + msgs + ",\"prompt\":\"x\",\"tokens\":\"1\"}",
            // deep nesting inside a field, below and beyond the parser's limit
            "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":" + "[".repeat(150) + "]".repeat(150) + "}],\"prompt\":" + "[".repeat(150) + "]".repeat(150) + ",\"tokens\":" + "[".repeat(150) + "]".repeat(150) + "}",
            "{\"model\":\"tiny\",\"metadata\":" + "{\"a\":".repeat(300) + "1" + "}".repeat(300) + "}",
            // unicode: lone surrogates, NUL, invalid escapes, a BOM, right-to-left in names
            "{\"model\":\"tiny\\ud800\",\"max_tokens\":5," + msgs + ",\"prompt\":\"x\",\"tokens\":[1]}",
            "{\"model\":\"\\u0000\",\"max_tokens\":5," + msgs + ",\"prompt\":\"\\u0000\",\"tokens\":[1]}",
            "{\"model\":\"tiny\",\"max_tokens\":5,\"messages\":[{\"role\":\"us\\u202Eer\",\"content\":\"\\uDFFF\"}],\"prompt\":[\"\\ud83d\"]}",
            "{\"model\":\"tiny\",\"bad\":\"\\x41\"}",
            "\uFEFF{\"model\":\"tiny\"}",
            "{\"model\":\"tiny\"}}",
            "{\"model\":\"tiny\",\"model\":5}",
        };
        String[] paths = {"/v1/chat/completions", "/v1/completions", "/v1/messages", "/v1/messages/count_tokens", "/tokenize", "/detokenize"};
        for (String path : paths) {
            for (String body : bodies) {
                HttpResponse<String> response = server.post(path, body, "anthropic-version", "2023-06-01");
                if (response.statusCode() != 200) {
                    assertDialectError(path, response, path + " " + body);
                }
            }
            // wrong content types and raw bytes that are not UTF-8
            for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
                HttpResponse<String> response = server.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + path))
                        .header("content-type", type).POST(java.net.http.HttpRequest.BodyPublishers.ofString("model=tiny&prompt=x")).build());
                assertDialectError(path, response, path + " as " + type);
            }
            HttpResponse<String> binary = server.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + path))
                    .header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '"', 'm', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'})).build());
            assertDialectError(path, binary, path + " invalid UTF-8");
            // GET on a POST endpoint: not a 500 either
            HttpResponse<String> wrongMethod = server.get(path);
            assertThat(wrongMethod.statusCode()).as(path + " GET -> " + wrongMethod.body()).isBetween(400, 499);
        }

        // odd model ids on the GET side, asked in both dialects
        for (String id : new String[] {"%00", "..%2F..%2Fetc", "%F0%9F%98%80", "x".repeat(2000), "tiny%20"}) {
            HttpResponse<String> openAi = server.get("/v1/models/" + id);
            assertThat(openAi.statusCode()).as(id + " -> " + openAi.body()).isBetween(400, 499);
            assertThat(TestServer.json(openAi.body()).has("error")).as(id + " -> " + openAi.body()).isTrue();
            HttpResponse<String> anthropic = server.get("/v1/models/" + id, "anthropic-version", "2023-06-01");
            assertThat(anthropic.statusCode()).as(id + " -> " + anthropic.body()).isBetween(400, 499);
            JsonNode body = TestServer.json(anthropic.body());
            // A request line Jetty cannot read at all (an encoded NUL) leaves neither path nor headers to
            // tell the dialect by: OpenAI's shape then; every other is Anthropic's
            if (!body.has("type")) {
                assertThat(id).isEqualTo("%00");
                assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
            } else {
                assertThat(body.path("type").asText()).isEqualTo("error");
            }
        }

        // still serving, in both dialects
        assertThat(server.post("/v1/chat/completions", "{\"model\":\"tiny\",\"max_tokens\":2," + msgs + "}").statusCode()).isEqualTo(200);
        assertThat(server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":2," + msgs + "}").statusCode()).isEqualTo(200);
    }

    @Test
    void anImageBlockIsCheckedTheSameByMessagesAndCountTokens() {
        // Given image blocks that are not images: no source, a source of no known type, a part missing
        String[][] blocks = {
            {"{\"type\":\"image\"}", "messages.0.content.0.source"},
            {"{\"type\":\"image\",\"source\":\"AAAA\"}", "messages.0.content.0.source"},
            {"{\"type\":\"image\",\"source\":{\"type\":\"file\",\"file_id\":\"f\"}}", "messages.0.content.0.source.type"},
            {"{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\"}}", "messages.0.content.0.source.data"},
            {"{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"data\":\"AAAA\"}}", "messages.0.content.0.source.media_type"},
            {"{\"type\":\"image\",\"source\":{\"type\":\"url\"}}", "messages.0.content.0.source.url"},
        };
        for (String[] block : blocks) {
            String body = "{\"model\":\"tiny\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":[" + block[0] + "]}]}";
            // When it is sent for an answer, or to be counted
            for (String path : new String[] {"/v1/messages", "/v1/messages/count_tokens"}) {
                // Then both refuse it alike, naming the field
                JsonNode error = anthropicError(server.post(path, body), 400, "invalid_request_error", block[1]);
                assertThat(error.at("/error/message").asText()).as(path + " " + block[0]).contains("'" + block[1] + "'");
            }
        }
    }

    /** Conversation shapes a chat template may dislike (roles out of turn, tool turns, images) are never a 500. */
    @Test
    void oddConversationsNeverGiveA500() {
        String[] openAiMessages = {
            "[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"}]",
            "[{\"role\":\"assistant\",\"content\":\"a\"}]",
            "[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":\"r\"}]",
            "[{\"role\":\"system\",\"content\":\"\"},{\"role\":\"user\",\"content\":\"\"}]",
            "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]}]",
        };
        conversationsGetAnAnswerOrA400(openAiMessages, "/v1/chat/completions", "/tokenize");
        String[] anthropicMessages = {
            "[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"}]",
            "[{\"role\":\"assistant\",\"content\":\"a\"}]",
            "[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":\"r\"}]}]",
            "[{\"role\":\"user\",\"content\":[]}]",
            "[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"AAAA\"}}]}]",
        };
        conversationsGetAnAnswerOrA400(anthropicMessages, "/v1/messages", "/v1/messages/count_tokens");
    }

    private static void conversationsGetAnAnswerOrA400(String[] conversations, String... paths) {
        for (String messages : conversations) {
            for (String path : paths) {
                assertAnswerOr400(path, "{\"model\":\"tiny\",\"max_tokens\":2,\"messages\":" + messages + "}");
            }
        }
    }

    /** Edge values that are well-formed JSON of the right types: an answer or a 400, never a 500. */
    @Test
    void edgeValuesGetAnAnswerOrA400() {
        String[] completions = {
            "{\"model\":\"tiny\",\"prompt\":\"def f(\",\"suffix\":\"return 1\",\"max_tokens\":2}",
            "{\"model\":\"tiny\",\"prompt\":\"\",\"max_tokens\":2}",
            "{\"model\":\"tiny\",\"prompt\":[],\"max_tokens\":2}",
            "{\"model\":\"tiny\",\"prompt\":[\"\",\"\"],\"max_tokens\":2}",
            "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":2,\"logprobs\":21}",
            "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":2,\"logprobs\":-1}",
            "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":2,\"seed\":-9223372036854775808,\"temperature\":2,\"top_p\":1e-300}",
            "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":2,\"n\":3,\"best_of\":1}",
            "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":2,\"stop\":[\"\\u00e9\\ud83d\\ude00\",\"" + "s".repeat(300) + "\"]}",
            "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":2,\"min_tokens\":2,\"ignore_eos\":true,\"top_k\":-1,\"min_p\":1,\"repetition_penalty\":10}",
            "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":2,\"echo\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
            "{\"model\":\"tiny\",\"prompt\":[[1,2],[3]],\"max_tokens\":2,\"logprobs\":2,\"return_tokens_as_token_ids\":true,\"stream\":true}",
        };
        assertAnswerOr400("/v1/completions", completions);
        String[] chats = {
            "{\"model\":\"tiny\",\"max_completion_tokens\":2,\"max_tokens\":9999999,\"messages\":" + USER + "}",
            "{\"model\":\"tiny\",\"max_tokens\":2,\"logprobs\":true,\"top_logprobs\":20,\"n\":2,\"stream\":true,\"messages\":" + USER + "}",
            "{\"model\":\"tiny\",\"max_tokens\":2,\"messages\":[{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"d\"}]},{\"role\":\"user\",\"name\":\"x\",\"content\":\"hi\"}]}",
            "{\"model\":\"tiny\",\"max_tokens\":2,\"stop\":\"\",\"messages\":" + USER + "}",
        };
        assertAnswerOr400("/v1/chat/completions", chats);
        String[] messages = {
            "{\"model\":\"tiny\",\"max_tokens\":2,\"system\":[{\"type\":\"text\",\"text\":\"s\"},{\"type\":\"image\"}],\"messages\":" + USER + "}",
            "{\"model\":\"tiny\",\"max_tokens\":2,\"temperature\":0,\"top_p\":0,\"top_k\":0,\"stop_sequences\":[],\"messages\":" + USER + "}",
            "{\"model\":\"tiny\",\"max_tokens\":2,\"tool_choice\":{\"type\":\"auto\"},\"messages\":" + USER + "}",
            "{\"model\":\"tiny\",\"max_tokens\":2,\"stream\":true,\"metadata\":{\"user_id\":null},\"messages\":" + USER + "}",
        };
        assertAnswerOr400("/v1/messages", messages);
    }
}
