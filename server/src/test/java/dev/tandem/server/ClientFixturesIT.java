package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import dev.tandem.models.Engines;
import dev.tandem.server.fakes.SchemaCheck;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request each coding agent or SDK sends (the fixtures in {@code clients/}, reconstructed from the
 * clients' sources: tools, system turns, max_tokens 32000, thinking, {@code ?beta=true}), sent as it
 * sends it, and the answer read as it reads it: through the official SDKs' own types and accumulators
 * (which the clients are built on), with tool arguments and structured answers checked against their
 * schemas. The local model is a random-weight checkpoint: it knows nothing, so what parses is the
 * server's work.
 */
class ClientFixturesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper OPENAI = com.openai.core.ObjectMappers.jsonMapper();
    private static final ObjectMapper ANTHROPIC = com.anthropic.core.ObjectMappers.jsonMapper();

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of(), TestServer.longContext(), Engines::open, true);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static ObjectNode fixture(String name) {
        try (InputStream in = ClientFixturesIT.class.getResourceAsStream("/clients/" + name)) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tools of an OpenAI request by name, with their parameter schemas. */
    private static Map<String, JsonNode> openAiTools(JsonNode request) {
        Map<String, JsonNode> tools = new HashMap<>();
        request.path("tools").forEach(t -> tools.put(t.path("function").path("name").asText(), t.path("function").path("parameters")));
        return tools;
    }

    private static Map<String, JsonNode> anthropicTools(JsonNode request) {
        Map<String, JsonNode> tools = new HashMap<>();
        request.path("tools").forEach(t -> tools.put(t.path("name").asText(), t.path("input_schema")));
        return tools;
    }

    /**
     * A streamed chat completion as the OpenAI SDKs read it: every chunk a valid ChatCompletionChunk, the
     * usage chunk (choices []) before [DONE], tool calls whose arguments are valid for their tool.
     */
    private static ChatCompletion streamedChat(JsonNode request) throws Exception {
        HttpResponse<String> response = server.post("/v1/chat/completions", request.toString(), "authorization", "Bearer any");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
        List<String> data = Sse.parse(response.body()).data();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        for (String d : data.subList(0, data.size() - 1)) {
            ChatCompletionChunk chunk = OPENAI.readValue(d, ChatCompletionChunk.class).validate();
            chunks.add(chunk);
            accumulator.accumulate(chunk);
        }
        ChatCompletionChunk usage = chunks.get(chunks.size() - 1);
        assertThat(usage.choices()).isEmpty();
        assertThat(usage.usage().orElseThrow().promptTokens()).isPositive();
        ChatCompletion completion = accumulator.chatCompletion();
        toolCallsValid(completion, openAiTools(request));
        return completion;
    }

    private static void toolCallsValid(ChatCompletion completion, Map<String, JsonNode> tools) {
        ChatCompletion.Choice choice = completion.choices().get(0);
        List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElse(List.of());
        for (ChatCompletionMessageToolCall call : calls) {
            var fn = call.asFunction().function();
            assertThat(tools).containsKey(fn.name());
            assertThat(SchemaCheck.errors(tools.get(fn.name()), fn.arguments())).as(fn.arguments()).isEmpty();
        }
        if (calls.isEmpty()) {
            assertThat(choice.finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP, ChatCompletion.Choice.FinishReason.LENGTH);
        } else {
            assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        }
    }

    /** A Messages stream as the Anthropic SDKs read it: named events, message_start first, blocks in order. */
    private static Message streamedMessage(HttpResponse<String> response, JsonNode request) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Sse sse = Sse.parse(response.body());
        assertThat(sse.events().get(0)).isEqualTo("message_start");
        assertThat(sse.events().get(sse.events().size() - 1)).isEqualTo("message_stop");
        MessageAccumulator accumulator = MessageAccumulator.create(); // throws on events out of order
        for (Sse.Frame frame : sse.frames()) {
            assertThat(frame.event()).as("every event is named").isEqualTo(JSON.readTree(frame.data()).path("type").asText());
            if (!frame.event().equals("ping")) {
                accumulator.accumulate(ANTHROPIC.readValue(frame.data(), RawMessageStreamEvent.class));
            }
        }
        Message message = accumulator.message();
        toolUsesValid(message, anthropicTools(request));
        return message;
    }

    private static void toolUsesValid(Message message, Map<String, JsonNode> tools) throws Exception {
        List<ToolUseBlock> uses = message.content().stream().flatMap(b -> b.toolUse().stream()).toList();
        for (ToolUseBlock use : uses) {
            assertThat(tools).containsKey(use.name());
            assertThat(SchemaCheck.errors(tools.get(use.name()), JSON.writeValueAsString(use._input().convert(Map.class)))).isEmpty();
        }
        String stop = message.stopReason().orElseThrow().asString();
        if (uses.isEmpty()) {
            assertThat(stop).isIn("end_turn", "max_tokens");
        } else {
            assertThat(stop).isEqualTo("tool_use");
        }
        assertThat(message.usage().inputTokens()).isPositive();
    }

    @Test
    void claudeCode() throws Exception {
        // Given Claude Code's request: ?beta=true, its betas and headers, tools, thinking, context_management,
        // output_config, a system message inside messages, max_tokens 32000 (far beyond the window)
        ObjectNode request = fixture("claude-code-messages.json");
        request.put("model", TestServer.MODEL);
        HttpResponse<String> response = server.post("/v1/messages?beta=true", request.toString(),
                "anthropic-version", "2023-06-01",
                "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,"
                        + "mid-conversation-system-2026-04-07,effort-2025-11-24",
                "authorization", "Bearer any", "x-app", "cli", "user-agent", "claude-cli/2.1.208 (external, cli)",
                "x-claude-code-session-id", "4f1b6c2e-0000-4000-8000-000000000001",
                "anthropic-dangerous-direct-browser-access", "true");
        // Then the stream is one the SDK accumulates, with tool_use blocks valid for their tools
        streamedMessage(response, request);
        // And its count_tokens request (beta namespace) counts the tools too
        ObjectNode count = request.deepCopy();
        count.remove(List.of("max_tokens", "stream", "temperature", "thinking", "context_management", "output_config", "metadata"));
        HttpResponse<String> counted = server.post("/v1/messages/count_tokens?beta=true", count.toString(), "anthropic-version", "2023-06-01");
        assertThat(counted.statusCode()).as(counted.body()).isEqualTo(200);
        ObjectNode noTools = count.deepCopy();
        noTools.remove("tools");
        int withTools = JSON.readTree(counted.body()).path("input_tokens").asInt();
        int without = JSON.readTree(server.post("/v1/messages/count_tokens?beta=true", noTools.toString(), "anthropic-version", "2023-06-01")
                .body()).path("input_tokens").asInt();
        assertThat(withTools).isGreaterThan(without);
    }

    @Test
    void continueIde() throws Exception {
        ObjectNode request = fixture("continue-chat.json");
        request.put("model", TestServer.MODEL);
        streamedChat(request);
    }

    @Test
    void qwenCode() throws Exception {
        ObjectNode request = fixture("qwen-code-chat.json");
        request.put("model", TestServer.MODEL);
        streamedChat(request);
    }

    @Test
    void openCodeWithItsToolHistoryAndItsTitleRequestOfTwoUserTurns() throws Exception {
        ObjectNode request = fixture("opencode-chat.json");
        request.put("model", TestServer.MODEL);
        streamedChat(request);
        // OpenCode's title request: two user messages in a row
        ObjectNode title = JSON.createObjectNode().put("model", TestServer.MODEL).put("max_tokens", 32).put("stream", true);
        title.putObject("stream_options").put("include_usage", true);
        title.putArray("messages")
                .add(JSON.createObjectNode().put("role", "system").put("content", "You are a title generator."))
                .add(JSON.createObjectNode().put("role", "user").put("content", "Generate a title for this conversation:\n"))
                .add(JSON.createObjectNode().put("role", "user").put("content", "List the TODO comments in src/."));
        streamedChat(title);
    }

    /** A whole chat completion as the OpenAI SDKs read it, its content JSON valid for the schema, not cut short. */
    private static void structuredChat(String fixture) throws Exception {
        ObjectNode request = fixture(fixture);
        request.put("model", TestServer.MODEL);
        HttpResponse<String> response = server.post("/v1/chat/completions", request.toString(), "authorization", "Bearer any");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        ChatCompletion completion = OPENAI.readValue(response.body(), ChatCompletion.class).validate();
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).as("the OpenAI SDK's parse() raises on length").isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        String content = choice.message().content().orElseThrow();
        assertThat(SchemaCheck.errors(request.at("/response_format/json_schema/schema"), content)).as(content).isEmpty();
    }

    @Test
    void aiSdkStructuredChat() throws Exception {
        structuredChat("ai-sdk-structured-chat.json");
    }

    @Test
    void langChainOpenAiStructured() throws Exception {
        structuredChat("langchain-openai-structured.json");
    }

    @Test
    void langChainAnthropicWithToolHistory() throws Exception {
        ObjectNode request = fixture("langchain-anthropic.json");
        request.put("model", TestServer.MODEL);
        HttpResponse<String> response = server.post("/v1/messages", request.toString(), "x-api-key", "any", "anthropic-version", "2023-06-01");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Message message = ANTHROPIC.readValue(response.body(), Message.class).validate();
        toolUsesValid(message, anthropicTools(request));
        // And withStructuredOutput's way: one forced tool, whose input is the answer
        ObjectNode forced = request.deepCopy();
        forced.putObject("tool_choice").put("type", "tool").put("name", "refund_order");
        Message structured = ANTHROPIC.readValue(server.post("/v1/messages", forced.toString(), "x-api-key", "any",
                "anthropic-version", "2023-06-01").body(), Message.class).validate();
        assertThat(structured.content().stream().flatMap(b -> b.toolUse().stream()).map(ToolUseBlock::name)).containsExactly("refund_order");
        toolUsesValid(structured, anthropicTools(request));
        // And the AI SDK's way for a model that is not Claude: a tool named json, any tool, one at most, streamed
        ObjectNode json = request.deepCopy();
        json.putArray("tools").addObject().put("name", "json").put("description", "Respond with a JSON object.")
                .set("input_schema", request.at("/tools/1/input_schema"));
        json.putObject("tool_choice").put("type", "any").put("disable_parallel_tool_use", true);
        json.put("stream", true);
        Message streamed = streamedMessage(server.post("/v1/messages", json.toString(), "x-api-key", "any",
                "anthropic-version", "2023-06-01"), json);
        assertThat(streamed.content().stream().flatMap(b -> b.toolUse().stream())).hasSize(1);
    }
}
