package dev.tandem.server.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.fakes.RecordingSink;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.fakes.Upstreams;
import dev.tandem.testkit.FakeOpenAi;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.ToolCall;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenAiBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeOpenAi fake = new FakeOpenAi();
    private final RemoteBackend backend = new RemoteBackend("openai", Upstreams.openai(fake, Upstreams.fast()), null);

    @AfterEach
    void close() {
        backend.close();
        fake.close();
    }

    @Test
    void answeredCallsLeaveTheirConnectionToTheNextOne() throws Exception {
        // Given an upstream that keeps connections alive, as the real APIs do
        fake.keepAlive(true);
        for (int i = 0; i < 5; i++) {
            RecordingSink sink = new RecordingSink();
            backend.start(Requests.streamedChat("gpt-4o", "hello " + i).build(), sink);
            sink.awaitEnd();
            assertThat(sink.finished()).isNotNull();
        }
        // Then each call read its body to the end and handed the connection back: cancelling the body at
        // the last event would close it and cost every call a new handshake (5 connections). One may
        // still be draining when the next call starts, so the client can hold two at most.
        assertThat(fake.requests()).isEqualTo(5);
        assertThat(fake.connections()).isLessThanOrEqualTo(2);
    }

    @Test
    void streamsTextWithEstimatedStartAndRealUsageFromTheUsageChunk() throws Exception {
        // Given an upstream that reports 33 prompt and 3 completion tokens only in its final usage chunk
        fake.answerByDefault(Answer.text("Bon", "jour", "!").withUsage(33, 3));
        InferenceRequest request = Requests.streamedChat("gpt-4o", "Say hello in French, please, in one word.").build();
        RecordingSink sink = new RecordingSink();
        backend.start(request, sink);
        sink.awaitEnd();
        // Then Started carries an estimate counted from the prompt (OpenAI says nothing before the end)
        assertThat(sink.started().backend()).isEqualTo("openai");
        assertThat(sink.started().model()).isEqualTo("gpt-4o");
        assertThat(sink.started().inputTokens()).isEqualTo(PromptEstimate.tokens(request)).isPositive();
        // And Finished carries the upstream's real usage; SSE comments and [DONE] are handled
        assertThat(sink.text()).isEqualTo("Bonjour!");
        assertThat(sink.finished().usage()).isEqualTo(new TokenUsage(33, 3));
        assertThat(sink.finished().reason()).isEqualTo(StopReason.END_TURN);
        // And the upstream got a bearer key, the request id, stream + include_usage
        var received = fake.lastRequest();
        assertThat(received.headers()).containsEntry("authorization", "Bearer " + fake.apiKey())
                .containsEntry("x-request-id", request.requestId());
        JsonNode body = JSON.readTree(received.body());
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(64);
    }

    @Test
    void finishReasonsTranslate() {
        assertThat(OpenAiWire.stopReason("stop", null)).isEqualTo(StopReason.END_TURN);
        assertThat(OpenAiWire.stopReason("stop", "###")).isEqualTo(StopReason.STOP_SEQUENCE);
        assertThat(OpenAiWire.stopReason("length", null)).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(OpenAiWire.stopReason("tool_calls", null)).isEqualTo(StopReason.TOOL_USE);
        assertThat(OpenAiWire.stopReason("content_filter", null)).isEqualTo(StopReason.REFUSAL);
        assertThat(AnthropicWire.stopReason("end_turn")).isEqualTo(StopReason.END_TURN);
        assertThat(AnthropicWire.stopReason("max_tokens")).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(AnthropicWire.stopReason("tool_use")).isEqualTo(StopReason.TOOL_USE);
        assertThat(AnthropicWire.stopReason("refusal")).isEqualTo(StopReason.REFUSAL);
    }

    @Test
    void lengthFinishBecomesMaxTokens() {
        fake.answerByDefault(Answer.text("a", "b").withStop("length", null).withUsage(5, 2));
        RecordingSink sink = new RecordingSink();
        backend.start(Requests.streamedChat("gpt-4o", "count").build(), sink);
        assertThat(sink.awaitEnd().finished().reason()).isEqualTo(StopReason.MAX_TOKENS);
    }

    @Test
    void parallelToolCallsStreamWithTheirIndexes() throws Exception {
        fake.answerByDefault(Answer.text().withToolCalls(
                new ToolCall("call_A", "get_weather", List.of("{\"city\":", "\"Paris\"}")),
                new ToolCall("call_B", "get_weather", List.of("{\"city\":\"Rome\"}"))).withUsage(60, 30));
        RecordingSink sink = new RecordingSink();
        backend.start(Requests.streamedChat("gpt-4o", "Paris and Rome?").withTools(Requests.WEATHER_TOOL, ToolChoice.REQUIRED).build(), sink);
        sink.awaitEnd();
        List<InferenceEvent.ToolCallDelta> deltas = sink.toolCallDeltas();
        assertThat(deltas.stream().filter(d -> d.id() != null).map(InferenceEvent.ToolCallDelta::id)).containsExactly("call_A", "call_B");
        String a = deltas.stream().filter(d -> d.index() == 0).map(InferenceEvent.ToolCallDelta::argumentsJsonPart).reduce("", String::concat);
        String b = deltas.stream().filter(d -> d.index() == 1).map(InferenceEvent.ToolCallDelta::argumentsJsonPart).reduce("", String::concat);
        assertThat(JSON.readTree(a).path("city").asText()).isEqualTo("Paris");
        assertThat(JSON.readTree(b).path("city").asText()).isEqualTo("Rome");
        assertThat(sink.finished().reason()).isEqualTo(StopReason.TOOL_USE);
        JsonNode body = JSON.readTree(fake.lastRequest().body());
        assertThat(body.path("tools").get(0).path("type").asText()).isEqualTo("function");
        assertThat(body.path("tools").get(0).path("function").path("parameters").path("type").asText()).isEqualTo("object");
        assertThat(body.path("tool_choice").asText()).isEqualTo("required");
    }

    @Test
    void anthropicStyleToolTurnsBecomeToolCallsAndToolMessages() throws Exception {
        // Given a conversation as the Anthropic edge gives it: tool_use in the assistant turn, tool_result + image in the user turn
        Input.Chat chat = new Input.Chat("Be brief.", List.of(
                Message.text(Role.USER, "Weather in Paris?"),
                new Message(Role.ASSISTANT, List.of(new Content.Text("Checking."),
                        new Content.ToolUse("toolu_01", "get_weather", "{\"city\":\"Paris\"}"))),
                new Message(Role.USER, List.of(
                        new Content.ToolResult("toolu_01", List.of(new Content.Text("18C")), false),
                        new Content.Text("Is that warm?"),
                        new Content.Image("image/png", "iVBORw0KGgo=", null)))));
        backend.start(Requests.streamedChat("gpt-4o", chat).build(), new RecordingSink()).getClass();
        for (int i = 0; i < 6_000 && fake.requests() < 1; i++) {
            Thread.sleep(10);
        }
        JsonNode messages = JSON.readTree(fake.lastRequest().body()).path("messages");
        assertThat(messages).hasSize(5);
        assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
        JsonNode assistant = messages.get(2);
        assertThat(assistant.path("content").asText()).isEqualTo("Checking.");
        assertThat(assistant.path("tool_calls").get(0).path("id").asText()).isEqualTo("toolu_01");
        assertThat(JSON.readTree(assistant.path("tool_calls").get(0).path("function").path("arguments").asText()).path("city").asText())
                .isEqualTo("Paris");
        assertThat(messages.get(3).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(3).path("tool_call_id").asText()).isEqualTo("toolu_01");
        assertThat(messages.get(3).path("content").asText()).isEqualTo("18C");
        JsonNode parts = messages.get(4).path("content");
        assertThat(parts.get(0).path("text").asText()).isEqualTo("Is that warm?");
        assertThat(parts.get(1).path("image_url").path("url").asText()).isEqualTo("data:image/png;base64,iVBORw0KGgo=");
    }

    @Test
    void wrongKeyGivesAuthenticationErrorWithoutTheKey() {
        // Given a backend configured with a wrong key the upstream echoes back (masked) in its 401
        String wrongKey = "sk-proj-WRONGwrongWRONG9876543210";
        try (RemoteBackend wrong = new RemoteBackend("openai", Upstreams.openai(fake, Upstreams.fast()).toBuilder().withApiKey(wrongKey).build(), null)) {
            RecordingSink sink = new RecordingSink();
            wrong.start(Requests.streamedChat("gpt-4o", "hi").build(), sink);
            var error = sink.awaitEnd().failed().error();
            // Then: not retried, authentication kind, upstream's message kept, no trace of either key
            assertThat(error.kind()).isEqualTo(ErrorKind.AUTHENTICATION);
            assertThat(error.getMessage()).contains("Incorrect API key provided").doesNotContain(wrongKey)
                    .doesNotContain("sk-").doesNotContain("9876").doesNotContain(fake.apiKey());
            assertThat(fake.requests()).isEqualTo(1);
        }
    }
}
