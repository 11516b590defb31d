package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.Sse;
import dev.tandem.server.TestServer;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.Thinking;
import dev.tandem.testkit.FakeUpstream.ToolCall;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Structured output, tool choices and each dialect's own fields across the two remote dialects, with
 * fakes that speak the real wire formats: what the upstream receives, and what the caller gets back,
 * streamed and not.
 */
class TranslatedToolsAndFormatsIT extends HybridServerSetup {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],"
            + "\"additionalProperties\":false}";
    private static final String USER = "[{\"role\":\"user\",\"content\":\"Where?\"}]";

    @Override
    protected String policy() {
        return "prefer-local";
    }

    private HttpResponse<String> chat(String body) {
        return server.post("/v1/chat/completions", body);
    }

    private HttpResponse<String> messages(String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "anthropic-version";
        all[1] = "2023-06-01";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return server.post("/v1/messages", body, all);
    }

    private static JsonNode json(String text) {
        return TestServer.json(text);
    }

    @Test
    void openAisResponseFormatReachesClaudeAsOutputConfigAndTheAnswerComesBackAsContent() {
        anthropic.answerByDefault(Answer.text("{\"city\":", "\"Paris\"}").withUsage(20, 6));
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":50,\"messages\":" + USER + ",\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"place\",\"strict\":true,\"schema\":" + SCHEMA + "}}";
        // whole
        HttpResponse<String> r = chat(body + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r.body()).at("/choices/0/message/content").asText()).isEqualTo("{\"city\":\"Paris\"}");
        JsonNode sent = json(anthropic.lastRequest().body());
        assertThat(sent.at("/output_config/format/type").asText()).isEqualTo("json_schema");
        assertThat(sent.at("/output_config/format/schema")).isEqualTo(json(SCHEMA));
        assertThat(sent.has("response_format")).isFalse();
        // streamed
        HttpResponse<String> s = chat(body + ",\"stream\":true}");
        String content = Sse.parse(s.body()).data().stream().filter(d -> !d.equals("[DONE]"))
                .map(d -> json(d).at("/choices/0/delta/content").asText("")).collect(Collectors.joining());
        assertThat(content).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(json(anthropic.lastRequest().body()).at("/output_config/format/schema")).isEqualTo(json(SCHEMA));
    }

    @Test
    void claudesOutputConfigFormatReachesOpenAiAsAStrictResponseFormatAndClaudeCodesExtrasStayBehind() {
        openai.answerByDefault(Answer.text("{\"city\":\"Rome\"}").withUsage(20, 6));
        String body = "{\"model\":\"gpt-4o\",\"max_tokens\":50,\"messages\":" + USER + ",\"thinking\":{\"type\":\"adaptive\"},"
                + "\"output_config\":{\"effort\":\"high\",\"format\":{\"type\":\"json_schema\",\"schema\":" + SCHEMA + "}}";
        HttpResponse<String> r = messages(body + "}", "anthropic-beta", "effort-2025-11-24");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r.body()).at("/content/0/text").asText()).isEqualTo("{\"city\":\"Rome\"}");
        JsonNode sent = json(openai.lastRequest().body());
        assertThat(sent.at("/response_format/type").asText()).isEqualTo("json_schema");
        assertThat(sent.at("/response_format/json_schema/name").asText()).isEqualTo("response");
        assertThat(sent.at("/response_format/json_schema/strict").asBoolean()).isTrue();
        assertThat(sent.at("/response_format/json_schema/schema")).isEqualTo(json(SCHEMA));
        assertThat(sent.has("thinking") || sent.has("output_config")).as("Anthropic's fields mean nothing to OpenAI").isFalse();
        assertThat(openai.lastRequest().headers()).doesNotContainKey("anthropic-beta");
        // streamed: text deltas in Anthropic's events
        HttpResponse<String> s = messages(body + ",\"stream\":true}");
        String text = Sse.parse(s.body()).frames().stream().filter(f -> "content_block_delta".equals(f.event()))
                .map(f -> json(f.data()).at("/delta/text").asText("")).collect(Collectors.joining());
        assertThat(text).isEqualTo("{\"city\":\"Rome\"}");
    }

    @Test
    void claudeCodesExtrasAndBetasReachClaudeUnchanged() {
        anthropic.answerByDefault(Answer.text("ok").withUsage(20, 1));
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":32000,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"text\",\"text\":\"hi\",\"cache_control\":{\"type\":\"ephemeral\"}}]},{\"role\":\"system\",\"content\":\"Agents: none\"}],"
                + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048},"
                + "\"context_management\":{\"edits\":[{\"type\":\"clear_thinking_20251015\",\"keep\":\"all\"}]},"
                + "\"output_config\":{\"effort\":\"high\"},\"cache_control\":{\"type\":\"ephemeral\"},\"metadata\":{\"user_id\":\"u1\"}}";
        HttpResponse<String> r = server.post("/v1/messages?beta=true", body, "anthropic-version", "2023-06-01",
                "anthropic-beta", "claude-code-20250219,context-management-2025-06-27", "anthropic-beta", "effort-2025-11-24");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Sse.parse(r.body()).events()).contains("message_start", "message_stop");
        JsonNode sent = json(anthropic.lastRequest().body());
        assertThat(sent.path("thinking")).isEqualTo(json("{\"type\":\"enabled\",\"budget_tokens\":2048}"));
        assertThat(sent.path("context_management")).isEqualTo(json("{\"edits\":[{\"type\":\"clear_thinking_20251015\",\"keep\":\"all\"}]}"));
        assertThat(sent.path("output_config")).isEqualTo(json("{\"effort\":\"high\"}"));
        assertThat(sent.path("cache_control")).isEqualTo(json("{\"type\":\"ephemeral\"}"));
        assertThat(sent.path("max_tokens").asInt()).as("Claude's window is Claude's to judge").isEqualTo(32000);
        assertThat(sent.path("system").asText()).isEqualTo("Agents: none");
        assertThat(anthropic.lastRequest().headers().get("anthropic-beta"))
                .isEqualTo("claude-code-20250219,context-management-2025-06-27,effort-2025-11-24");
    }

    @Test
    void cacheBreakpointsReachClaudeOnTheBlocksToolsAndSystemTextTheCallerSetThemOn() {
        anthropic.answerByDefault(Answer.text("ok").withUsage(20, 1));
        String ephemeral = "{\"type\":\"ephemeral\"}";
        String hour = "{\"type\":\"ephemeral\",\"ttl\":\"1h\"}";
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":20,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"You are terse.\"},{\"type\":\"text\",\"text\":\"Tools: one.\",\"cache_control\":" + hour + "}],"
                + "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":" + SCHEMA + ",\"cache_control\":" + ephemeral + "}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather?\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Oslo\"}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"-3C\","
                + "\"cache_control\":" + ephemeral + "},{\"type\":\"text\",\"text\":\"And?\",\"cache_control\":" + ephemeral + "}]}]}";
        HttpResponse<String> r = messages(body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode sent = json(anthropic.lastRequest().body());
        assertThat(sent.at("/system/0/text").asText()).isEqualTo("You are terse.\nTools: one.");
        assertThat(sent.at("/system/0/cache_control")).isEqualTo(json(hour));
        assertThat(sent.at("/tools/0/cache_control")).isEqualTo(json(ephemeral));
        assertThat(sent.at("/messages/0/content/0").has("cache_control")).as("none set there").isFalse();
        assertThat(sent.at("/messages/1/content/0").has("cache_control")).isFalse();
        assertThat(sent.at("/messages/2/content/0/type").asText()).isEqualTo("tool_result");
        assertThat(sent.at("/messages/2/content/0/cache_control")).isEqualTo(json(ephemeral));
        assertThat(sent.at("/messages/2/content/1/cache_control")).isEqualTo(json(ephemeral));
        // OpenAI caches prefixes without breakpoints: none reach it, and the request is served
        openai.answerByDefault(Answer.text("ok"));
        HttpResponse<String> toOpenAi = messages(body.replace("claude-sonnet-4-5", "gpt-4o"));
        assertThat(toOpenAi.statusCode()).as(toOpenAi.body()).isEqualTo(200);
        assertThat(openai.lastRequest().body()).doesNotContain("cache_control");
    }

    @Test
    void claudesThinkingReachesTheCallerAndGoesBackToClaudeSoAToolLoopWithThinkingOnCarriesOn() {
        // Given Claude thinks, then calls a tool (Claude Code's loop: thinking on, tools, streamed)
        anthropic.answerByDefault(Answer.text().withThinking(new Thinking(List.of("Oslo is", " cold."), "sig-1"))
                .withToolCalls(new ToolCall("toolu_1", "get_weather", List.of("{\"city\":", "\"Oslo\"}"))).withUsage(30, 9));
        String tools = "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":" + SCHEMA + "}]";
        String first = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
                + tools + ",\"messages\":" + USER;
        HttpResponse<String> streamed = messages(first + ",\"stream\":true}");
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
        // Then the stream holds Claude's thinking block first, text and signature as Claude streams them
        List<Sse.Frame> frames = Sse.parse(streamed.body()).frames();
        JsonNode start = frames.stream().filter(f -> "content_block_start".equals(f.event())).map(f -> json(f.data())).findFirst().orElseThrow();
        assertThat(start.at("/index").asInt()).isZero();
        assertThat(start.at("/content_block/type").asText()).isEqualTo("thinking");
        List<JsonNode> deltas = frames.stream().filter(f -> "content_block_delta".equals(f.event())).map(f -> json(f.data()))
                .filter(d -> d.path("index").asInt() == 0).toList();
        assertThat(deltas.stream().map(d -> d.at("/delta/thinking").asText("")).collect(Collectors.joining())).isEqualTo("Oslo is cold.");
        assertThat(deltas.get(deltas.size() - 1).at("/delta")).isEqualTo(json("{\"type\":\"signature_delta\",\"signature\":\"sig-1\"}"));
        assertThat(frames.stream().filter(f -> "content_block_start".equals(f.event())).map(f -> json(f.data()).at("/content_block/type").asText()))
                .containsExactly("thinking", "tool_use");
        // and whole, the thinking block comes before the tool_use
        HttpResponse<String> whole = messages(first + "}");
        JsonNode content = json(whole.body()).path("content");
        assertThat(content.get(0)).isEqualTo(json("{\"type\":\"thinking\",\"thinking\":\"Oslo is cold.\",\"signature\":\"sig-1\"}"));
        assertThat(content.get(1).path("type").asText()).isEqualTo("tool_use");

        // When the caller sends the tool's result with the assistant turn as it got it
        anthropic.answerByDefault(Answer.text("Cold: -3C.").withUsage(60, 5));
        String next = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
                + tools + ",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Where?\"},{\"role\":\"assistant\",\"content\":" + content + "},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"-3C\"}]}]}";
        HttpResponse<String> answer = messages(next);
        // Then Claude gets the thinking block unchanged, before the tool call (it refuses the turn otherwise)
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("Cold: -3C.");
        JsonNode sent = json(anthropic.lastRequest().body()).at("/messages/1/content");
        assertThat(sent.get(0)).isEqualTo(content.get(0));
        assertThat(sent.get(1).path("type").asText()).isEqualTo("tool_use");
        // A redacted block goes back as it came, too
        String redacted = next.replace(content.get(0).toString(), "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy\"}");
        assertThat(messages(redacted).statusCode()).isEqualTo(200);
        assertThat(json(anthropic.lastRequest().body()).at("/messages/1/content/0"))
                .isEqualTo(json("{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy\"}"));
        // An OpenAI-dialect caller sees no thinking (its dialect has no place for it), and OpenAI never gets it
        anthropic.answerByDefault(Answer.text("Cold.").withThinking(new Thinking(List.of("hm"), "sig-2")));
        HttpResponse<String> chat = chat("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":50,\"messages\":" + USER + "}");
        assertThat(json(chat.body()).at("/choices/0/message/content").asText()).isEqualTo("Cold.");
        openai.answerByDefault(Answer.text("ok"));
        assertThat(messages(next.replace("claude-sonnet-4-5", "gpt-4o")).statusCode()).isEqualTo(200);
        assertThat(openai.lastRequest().body()).doesNotContain("sig-1").doesNotContain("Oslo is cold");
    }

    @Test
    void toolChoicesKeepTheirMeaningAcrossDialects() {
        anthropic.answerByDefault(Answer.text().withToolCalls(new ToolCall("toolu_1", "get_weather", List.of("{\"city\":\"Oslo\"}"))));
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":" + SCHEMA + ",\"strict\":true}}]";
        HttpResponse<String> r = chat("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":50,\"messages\":" + USER + "," + tools
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},\"parallel_tool_calls\":false}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode sent = json(anthropic.lastRequest().body());
        assertThat(sent.path("tool_choice")).isEqualTo(json("{\"type\":\"tool\",\"name\":\"get_weather\",\"disable_parallel_tool_use\":true}"));
        assertThat(sent.at("/tools/0/strict").asBoolean()).isTrue();

        openai.answerByDefault(Answer.text().withToolCalls(new ToolCall("call_1", "get_weather", List.of("{\"city\":\"Oslo\"}"))));
        HttpResponse<String> m = messages("{\"model\":\"gpt-4o\",\"max_tokens\":50,\"messages\":" + USER + ",\"tools\":[{\"name\":\"get_weather\","
                + "\"input_schema\":" + SCHEMA + "}],\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true}}");
        assertThat(m.statusCode()).as(m.body()).isEqualTo(200);
        JsonNode toOpenAi = json(openai.lastRequest().body());
        assertThat(toOpenAi.path("tool_choice").asText()).isEqualTo("required");
        assertThat(toOpenAi.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(json(m.body()).at("/content/0/input/city").asText()).isEqualTo("Oslo");
    }

    @Test
    void openAisOwnFieldsReachOpenAiAndWhatAnUpstreamCannotHonourIsRefusedByName() {
        openai.answerByDefault(Answer.text("fine"));
        HttpResponse<String> r = chat("{\"model\":\"gpt-4o\",\"max_tokens\":5,\"messages\":" + USER + ",\"store\":false,"
                + "\"metadata\":{\"team\":\"a\"},\"prompt_cache_key\":\"c1\",\"logit_bias\":{\"50256\":-100},\"response_format\":{\"type\":\"json_object\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode sent = json(openai.lastRequest().body());
        assertThat(sent.path("store").asBoolean(true)).isFalse();
        assertThat(sent.at("/metadata/team").asText()).isEqualTo("a");
        assertThat(sent.path("prompt_cache_key").asText()).isEqualTo("c1");
        assertThat(sent.at("/logit_bias/50256").asDouble()).isEqualTo(-100.0);
        assertThat(sent.at("/response_format/type").asText()).isEqualTo("json_object");
        // Claude has no logit_bias and no JSON mode without a schema; only Anthropic runs MCP servers
        HttpResponse<String> bias = chat("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,\"messages\":" + USER
                + ",\"logit_bias\":{\"5\":1}}");
        assertThat(bias.statusCode()).isEqualTo(400);
        assertThat(json(bias.body()).at("/error/message").asText()).contains("logit_bias");
        HttpResponse<String> mcp = messages("{\"model\":\"gpt-4o\",\"max_tokens\":5,\"messages\":" + USER
                + ",\"mcp_servers\":[{\"type\":\"url\",\"url\":\"https://mcp.example\",\"name\":\"x\"}]}");
        assertThat(mcp.statusCode()).isEqualTo(400);
        assertThat(json(mcp.body()).at("/error/message").asText()).contains("mcp_servers");
        HttpResponse<String> toClaude = messages("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,\"messages\":" + USER
                + ",\"mcp_servers\":[{\"type\":\"url\",\"url\":\"https://mcp.example\",\"name\":\"x\"}]}");
        assertThat(toClaude.statusCode()).as(toClaude.body()).isEqualTo(200);
        assertThat(json(anthropic.lastRequest().body()).at("/mcp_servers/0/name").asText()).isEqualTo("x");
    }
}
