package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.Hog;
import dev.tandem.server.TestServer;
import dev.tandem.server.fakes.SchemaCheck;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A local-only server with working upstream keys configured: whatever is asked — a remote model, a
 * wider policy, images — and however busy the engine, no connection ever reaches an upstream.
 */
class ComplianceServerIT extends HybridServerSetup {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected String policy() {
        return "local-only";
    }

    @Test
    void noUpstreamConnectionEvenWhenSaturatedAndAskedForRemote() throws Exception {
        // Given the only slot held by a stream that lasts until the test closes it
        try (Hog held = Hog.start(server)) {
            assertThat(server.awaitRunning(1, Duration.ofSeconds(60))).isTrue();
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
        }
        // Then not a single connection reached either upstream
        assertThat(anthropic.connections()).isZero();
        assertThat(openai.connections()).isZero();
    }

    @Test
    void codexAndItsOutputSchemaAreServedByTheLocalModelAlone() throws Exception {
        // When Codex sends its turn (4 tools, one freeform, tool_choice auto, store false) for a model only the local engine has
        HttpResponse<String> turn = server.post("/v1/responses", ResponsesClientsIT.fixture("codex-responses.json", "tiny").toString(),
                "authorization", "Bearer client-key");

        // Then it gets a stream Codex accepts, whose items are text or calls of its own tools, whole
        List<JsonNode> items = ResponsesClientsIT.doneItems(ResponsesClientsIT.acceptedStream(turn));
        assertThat(items).isNotEmpty();
        for (JsonNode item : items) {
            switch (item.path("type").asText()) {
                case "message" -> assertThat(item.at("/content/0/type").asText()).isEqualTo("output_text");
                case "function_call" -> {
                    assertThat(item.path("name").asText()).isIn("shell_command", "update_plan", "view_image");
                    assertThat(ResponsesClientsIT.json(item.path("arguments").asText()).isObject()).isTrue();
                }
                case "custom_tool_call" -> {
                    assertThat(item.path("name").asText()).isEqualTo("apply_patch");
                    assertThat(item.path("input").isTextual()).isTrue();
                }
                default -> throw new AssertionError("an item Codex does not expect: " + item);
            }
        }

        // When Codex runs with --output-schema (a strict json_schema text format) and no tools, for a model it takes to reason
        ObjectNode schemaTurn = ResponsesClientsIT.fixture("codex-responses.json", "tiny");
        schemaTurn.remove("tools");
        schemaTurn.putObject("reasoning").put("effort", "medium").put("summary", "auto");
        schemaTurn.putArray("include").add("reasoning.encrypted_content");
        schemaTurn.put("max_output_tokens", 200);
        JsonNode schema = JSON.readTree("{\"type\":\"object\",\"properties\":{\"summary\":{\"type\":\"string\",\"maxLength\":40},"
                + "\"files\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":20},\"maxItems\":3}},"
                + "\"required\":[\"summary\",\"files\"],\"additionalProperties\":false}");
        schemaTurn.putObject("text").putObject("format").put("type", "json_schema").put("name", "codex_output_schema").put("strict", true)
                .set("schema", schema);
        List<JsonNode> events = ResponsesClientsIT.acceptedStream(server.post("/v1/responses", schemaTurn.toString(),
                "authorization", "Bearer client-key"));

        // Then its answer is JSON valid for the schema, with no reasoning item (the model does not reason) and its settings echoed
        assertThat(ResponsesClientsIT.doneItems(events)).extracting(i -> i.path("type").asText()).containsExactly("message");
        assertThat(events.get(events.size() - 1).at("/response/reasoning/effort").asText()).isEqualTo("medium");
        JsonNode message = ResponsesClientsIT.doneItems(events).get(0);
        String text = message.at("/content/0/text").asText();
        assertThat(SchemaCheck.errors(schema, text)).as(text).isEmpty();
        assertThat(events.get(events.size() - 1).at("/response/text/format/name").asText()).isEqualTo("codex_output_schema");

        // And no connection reached either upstream
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
