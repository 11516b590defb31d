package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official SDKs against the whole server (assembly, ops layers, edge, router) with fake upstreams:
 * an OpenAI-format request answered by Claude, an Anthropic-format request answered by OpenAI,
 * streaming and not, usage and stop reasons right, upstream errors in the caller's dialect without the key.
 */
class HybridSdkIT extends HybridServerSetup {
    private static final ObjectMapper JSON = new ObjectMapper();
    private String base;

    @Override
    protected String policy() {
        return "prefer-local";
    }

    @BeforeEach
    void base() {
        base = server.baseUrl();
    }

    private OpenAIClient openAiSdk() {
        return OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey("tandem-client-key").maxRetries(0).build();
    }

    private AnthropicClient anthropicSdk() {
        return AnthropicOkHttpClient.builder().baseUrl(base).apiKey("tandem-client-key").maxRetries(0).build();
    }

    @Test
    void openAiSdkGetsClaudesAnswer() throws Exception {
        anthropic.answerByDefault(Answer.text("Paris", " is the capital.").withUsage(23, 6));
        ChatCompletion c = openAiSdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("claude-sonnet-4-5").addSystemMessage("Be brief.").addUserMessage("Capital of France?").maxCompletionTokens(50).build());
        assertThat(c.choices().get(0).message().content()).contains("Paris is the capital.");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(23);
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(6);
        // the upstream got a Messages API body: system top-level, max_tokens, the client's key not forwarded
        JsonNode body = JSON.readTree(anthropic.lastRequest().body());
        assertThat(body.path("system").asText()).isEqualTo("Be brief.");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(50);
        assertThat(anthropic.lastRequest().headers().toString()).doesNotContain("tandem-client-key");
    }

    @Test
    void openAiSdkStreamsClaudesAnswerWithUsage() {
        anthropic.answerByDefault(Answer.text("one", " two", " three").withUsage(11, 3).withStop("max_tokens", null));
        StringBuilder text = new StringBuilder();
        long[] usage = new long[2];
        String[] finish = new String[1];
        try (var stream = openAiSdk().chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model("claude-sonnet-4-5").addUserMessage("count").maxCompletionTokens(3)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach((ChatCompletionChunk chunk) -> {
                chunk.choices().forEach(ch -> {
                    ch.delta().content().ifPresent(text::append);
                    ch.finishReason().ifPresent(f -> finish[0] = f.asString());
                });
                chunk.usage().ifPresent(u -> {
                    usage[0] = u.promptTokens();
                    usage[1] = u.completionTokens();
                });
            });
        }
        assertThat(text).hasToString("one two three");
        assertThat(finish[0]).isEqualTo("length");
        assertThat(usage).containsExactly(11, 3);
    }

    @Test
    void anthropicSdkGetsOpenAisAnswer() throws Exception {
        openai.answerByDefault(Answer.text("Bonjour", "!").withUsage(17, 2));
        var m = anthropicSdk().messages().create(MessageCreateParams.builder()
                .model("gpt-4o").maxTokens(40).system("Answer in French.").addUserMessage("Say hello").build());
        assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo("Bonjour!");
        assertThat(m.stopReason().orElseThrow().asString()).isEqualTo("end_turn");
        assertThat(m.usage().inputTokens()).isEqualTo(17);
        assertThat(m.usage().outputTokens()).isEqualTo(2);
        JsonNode body = JSON.readTree(openai.lastRequest().body());
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(40);
    }

    @Test
    void anthropicSdkStreamsOpenAisAnswer() {
        openai.answerByDefault(Answer.text("Hel", "lo", " there").withUsage(9, 3));
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = anthropicSdk().messages().createStreaming(MessageCreateParams.builder()
                .model("gpt-4o").maxTokens(40).addUserMessage("greet").build())) {
            stream.stream().forEach(acc::accumulate);
        }
        var m = acc.message();
        assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo("Hello there");
        assertThat(m.stopReason().orElseThrow().asString()).isEqualTo("end_turn");
        assertThat(m.usage().outputTokens()).isEqualTo(3);
        assertThat(m.usage().inputTokens()).as("the upstream's real count, sent in message_delta").isEqualTo(9);
    }

    @Test
    void upstreamClientErrorsReachTheCallerInItsDialectWithoutTheKey() {
        anthropic.enqueue(new Status(400, "invalid_request_error",
                "max_tokens: 100000 > 64000, which is the maximum allowed (key " + anthropic.apiKey() + ")", Map.of()));
        assertThatThrownBy(() -> openAiSdk().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("claude-sonnet-4-5").addUserMessage("hi").maxCompletionTokens(100_000).build()))
                .isInstanceOf(com.openai.errors.BadRequestException.class)
                .hasMessageContaining("max_tokens: 100000 > 64000")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(anthropic.apiKey()));

        openai.enqueue(new Status(404, "invalid_request_error", "The model `gpt-5-nano` does not exist or you do not have access to it.", Map.of()));
        assertThatThrownBy(() -> anthropicSdk().messages().create(MessageCreateParams.builder()
                .model("gpt-5-nano").maxTokens(10).addUserMessage("hi").build()))
                .isInstanceOf(com.anthropic.errors.NotFoundException.class)
                .hasMessageContaining("does not exist");
    }

    private static final Map<String, Object> WEATHER_SCHEMA = Map.of("type", "object",
            "properties", Map.of("city", Map.of("type", "string")), "required", List.of("city"));

    @Test
    void openAiSdkToolCallsAnsweredByClaude() throws Exception {
        // Given Claude answers with a tool_use whose input streams in parts
        anthropic.answerByDefault(Answer.text("Checking.").withToolCalls(
                new dev.tandem.testkit.FakeUpstream.ToolCall("toolu_01XYZ", "get_weather", List.of("{\"city\":", " \"Paris\"}")))
                .withUsage(80, 25));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("claude-sonnet-4-5").maxCompletionTokens(100)
                .addUserMessage("Weather in Paris?")
                .addFunctionTool(com.openai.models.FunctionDefinition.builder().name("get_weather").description("Current weather")
                        .parameters(com.openai.models.FunctionParameters.builder()
                                .putAdditionalProperty("type", com.openai.core.JsonValue.from("object"))
                                .putAdditionalProperty("properties", com.openai.core.JsonValue.from(WEATHER_SCHEMA.get("properties")))
                                .build())
                        .build())
                .build();
        // When the OpenAI SDK asks, non-streaming
        ChatCompletion c = openAiSdk().chat().completions().create(params);
        // Then it sees a function tool call with JSON arguments, and finish_reason tool_calls
        var call = c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("toolu_01XYZ");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.function().arguments()).path("city").asText()).isEqualTo("Paris");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        // And Claude got the tool as input_schema
        JsonNode tool = JSON.readTree(anthropic.lastRequest().body()).path("tools").get(0);
        assertThat(tool.path("name").asText()).isEqualTo("get_weather");
        assertThat(tool.path("input_schema").path("properties").path("city").path("type").asText()).isEqualTo("string");

        // When streaming: the chunks carry the same call
        StringBuilder args = new StringBuilder();
        String[] name = new String[1];
        try (var stream = openAiSdk().chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().toolCalls().ifPresent(calls -> calls.forEach(tc -> {
                tc.function().flatMap(f -> f.name()).ifPresent(n -> name[0] = n);
                tc.function().flatMap(f -> f.arguments()).ifPresent(args::append);
            }))));
        }
        assertThat(name[0]).isEqualTo("get_weather");
        assertThat(JSON.readTree(args.toString()).path("city").asText()).isEqualTo("Paris");
    }

    @Test
    void openAiSdkToolResultsReachClaudeAsToolResultBlocks() throws Exception {
        String body = """
                {"model":"claude-sonnet-4-5","max_tokens":50,"messages":[
                  {"role":"user","content":"Weather in Paris?"},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function",
                    "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_9","content":"18C and sunny"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}
                """;
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode messages = JSON.readTree(anthropic.lastRequest().body()).path("messages");
        assertThat(messages.get(1).path("content").get(0).path("type").asText()).isEqualTo("tool_use");
        assertThat(messages.get(1).path("content").get(0).path("input").path("city").asText()).isEqualTo("Paris");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("user");
        assertThat(messages.get(2).path("content").get(0).path("type").asText()).isEqualTo("tool_result");
        assertThat(messages.get(2).path("content").get(0).path("tool_use_id").asText()).isEqualTo("call_9");
    }

    @Test
    void anthropicSdkToolUseAnsweredByOpenAi() throws Exception {
        openai.answerByDefault(Answer.text().withToolCalls(
                new dev.tandem.testkit.FakeUpstream.ToolCall("call_abc", "get_weather", List.of("{\"ci", "ty\":\"Rome\"}")))
                .withUsage(70, 15));
        MessageCreateParams params = MessageCreateParams.builder().model("gpt-4o").maxTokens(100).addUserMessage("Weather in Rome?")
                .addTool(com.anthropic.models.messages.Tool.builder().name("get_weather")
                        .inputSchema(com.anthropic.models.messages.Tool.InputSchema.builder()
                                .properties(com.anthropic.core.JsonValue.from(WEATHER_SCHEMA.get("properties"))).build())
                        .build())
                .build();
        var m = anthropicSdk().messages().create(params);
        var toolUse = m.content().stream().filter(b -> b.isToolUse()).findFirst().orElseThrow().toolUse().orElseThrow();
        assertThat(toolUse.id()).isEqualTo("call_abc");
        assertThat(toolUse.name()).isEqualTo("get_weather");
        assertThat(toolUse._input().convert(Map.class)).containsEntry("city", "Rome");
        assertThat(m.stopReason().orElseThrow().asString()).isEqualTo("tool_use");
        JsonNode tool = JSON.readTree(openai.lastRequest().body()).path("tools").get(0);
        assertThat(tool.path("function").path("name").asText()).isEqualTo("get_weather");

        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = anthropicSdk().messages().createStreaming(params)) {
            stream.stream().forEach(acc::accumulate);
        }
        var streamed = acc.message().content().stream().filter(b -> b.isToolUse()).findFirst().orElseThrow().toolUse().orElseThrow();
        assertThat(streamed.name()).isEqualTo("get_weather");
        assertThat(streamed._input().convert(Map.class)).containsEntry("city", "Rome");
        assertThat(acc.message().stopReason().orElseThrow().asString()).isEqualTo("tool_use");
    }
}
