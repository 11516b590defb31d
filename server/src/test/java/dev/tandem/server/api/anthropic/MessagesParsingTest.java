package dev.tandem.server.api.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.core.CacheBreakpoint;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.ToolChoice;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Anthropic requests at the edge, in the shapes Claude Code and the SDKs send. */
class MessagesParsingTest {
    private static final Origin ORIGIN = new Origin("req", Caller.ANONYMOUS, null,
            Origin.betaHeader(List.of("claude-code-20250219,interleaved-thinking-2025-05-14", " effort-2025-11-24 ")));

    private static InferenceRequest messages(String json) {
        return MessagesRequests.toInference(Json.parse(json.getBytes(StandardCharsets.UTF_8), MessagesWire.Request.class), ORIGIN);
    }

    @Test
    void systemMessagesAnywhereJoinTheSystemTextAndThinkingBlocksAreKeptForClaude() {
        InferenceRequest r = messages("""
                {"model":"m","max_tokens":10,"system":[{"type":"text","text":"billing"},{"type":"text","text":"You are Claude Code.",
                 "cache_control":{"type":"ephemeral"}}],
                 "messages":[{"role":"user","content":"fix it"},
                             {"role":"system","content":[{"type":"text","text":"Agents: general-purpose"}]},
                             {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"sig"},{"type":"text","text":"ok"}]},
                             {"role":"system","content":[]}]}
                """);
        Input.Chat chat = (Input.Chat) r.input();
        assertThat(chat.system()).isEqualTo("billing\nYou are Claude Code.\n\nAgents: general-purpose");
        assertThat(chat.messages()).extracting(m -> m.role()).containsExactly(Role.USER, Role.ASSISTANT);
        assertThat(chat.messages().get(1).content()).containsExactly(new Content.Thinking("hm", "sig", null), new Content.Text("ok"));
        assertThat(chat.systemCache()).as("kept for Claude").isEqualTo(new CacheBreakpoint("{\"type\":\"ephemeral\"}"));
    }

    @Test
    void claudeCodesExtrasPassToAnthropicWithTheBetasAndOutputConfigsFormatIsStructuredOutput() {
        InferenceRequest r = messages("""
                {"model":"m","max_tokens":32000,"messages":[{"role":"user","content":"hi"}],
                 "thinking":{"type":"adaptive"},"context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]},
                 "output_config":{"effort":"high","format":{"type":"json_schema","schema":{"type":"object"}}},
                 "cache_control":{"type":"ephemeral"}}
                """);
        assertThat(r.responseFormat()).isEqualTo(new ResponseFormat.JsonSchema("response", null, "{\"type\":\"object\"}", true));
        assertThat(r.passthrough().fieldsFor(Dialect.ANTHROPIC)).containsOnlyKeys("thinking", "context_management", "output_config",
                "cache_control");
        assertThat(r.passthrough().fieldsFor(Dialect.ANTHROPIC).get("output_config")).isEqualTo("{\"effort\":\"high\"}");
        assertThat(r.passthrough().betasFor(Dialect.ANTHROPIC))
                .containsExactly("claude-code-20250219", "interleaved-thinking-2025-05-14", "effort-2025-11-24");
        assertThat(r.passthrough().fieldsFor(Dialect.OPENAI)).isEmpty();
        assertThat(r.passthrough().essentialFieldFor(null)).isNull();
        // the older beta form of structured output reads the same
        assertThat(messages("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"output_format\":{\"type\":\"json_schema\",\"schema\":{\"type\":\"object\"}}}").responseFormat())
                .isInstanceOf(ResponseFormat.JsonSchema.class);
    }

    @Test
    void toolChoicesInClaudesWords() {
        String tools = "\"tools\":[{\"name\":\"json\",\"input_schema\":{\"type\":\"object\"},\"strict\":true}]";
        assertThat(messages("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + tools
                + ",\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true}}").toolChoice())
                .isEqualTo(ToolChoice.REQUIRED.withParallel(false));
        InferenceRequest named = messages("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + tools + ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"json\"}}");
        assertThat(named.toolChoice()).isEqualTo(ToolChoice.named("json"));
        assertThat(named.tools().get(0).strict()).isTrue();
        assertThat(messages("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + tools
                + ",\"tool_choice\":{\"type\":\"none\"}}").offersTools()).isFalse();
    }
}
