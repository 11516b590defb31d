package dev.tandem.server.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.fakes.RecordingSink;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.fakes.Upstreams;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.ToolCall;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnthropicBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeAnthropic fake = new FakeAnthropic();
    private final RemoteBackend backend = new RemoteBackend("anthropic", Upstreams.anthropic(fake, Upstreams.fast()), null);

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
            backend.start(Requests.streamedChat("claude-sonnet-4-5", "hello " + i).build(), sink);
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
    void streamsTextWithUsageFromMessageStartAndCumulativeMessageDelta() throws Exception {
        // Given an upstream answering 3 chunks, 21 prompt tokens, 9 output tokens in total
        fake.answerByDefault(Answer.text("Hel", "lo", "!").withUsage(21, 9));
        // When a request for an Anthropic model is served
        InferenceRequest request = Requests.streamedChat("claude-sonnet-4-5", "Say hello").build();
        RecordingSink sink = new RecordingSink();
        backend.start(request, sink);
        sink.awaitEnd();
        // Then the events carry the text, and usage is message_start's input and message_delta's output, never summed
        assertThat(sink.events().get(0)).isInstanceOf(InferenceEvent.Started.class);
        assertThat(sink.started().backend()).isEqualTo("anthropic");
        assertThat(sink.started().model()).isEqualTo("claude-sonnet-4-5");
        assertThat(sink.started().inputTokens()).isEqualTo(21);
        assertThat(sink.text()).isEqualTo("Hello!");
        assertThat(sink.finished().usage()).isEqualTo(new TokenUsage(21, 9));
        assertThat(sink.finished().reason()).isEqualTo(StopReason.END_TURN);
        // And the upstream got the Messages API headers, the request id and a well-formed body
        var received = fake.lastRequest();
        assertThat(received.headers()).containsEntry("x-api-key", fake.apiKey())
                .containsEntry("anthropic-version", "2023-06-01")
                .containsEntry("x-request-id", request.requestId());
        JsonNode body = JSON.readTree(received.body());
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("messages").get(0).path("content").get(0).path("text").asText()).isEqualTo("Say hello");
    }

    @Test
    void systemGoesTopLevelAndSamplingAndStopSequencesTranslate() throws Exception {
        fake.answerByDefault(Answer.text("4").withStop("stop_sequence", "###").withUsage(30, 2));
        Input.Chat chat = new Input.Chat("You are terse.", List.of(
                Message.text(Role.SYSTEM, "Answer in digits."),
                Message.text(Role.USER, "2+2?")));
        InferenceRequest request = InferenceRequest.builder("r1", dev.tandem.server.core.Dialect.OPENAI, "auto", chat)
                .withMaxTokens(16)
                .withSampling(Sampling.builder().withTemperature(1.5).withTopP(0.9).withTopK(40).withSeed(7L).build())
                .withStop(List.of("###"))
                .withUser("user-42")
                .build();
        RecordingSink sink = new RecordingSink();
        backend.start(request, sink);
        sink.awaitEnd();

        JsonNode body = JSON.readTree(fake.lastRequest().body());
        assertThat(body.path("model").asText()).as("an alias goes to the default model").isEqualTo("claude-sonnet-4-5");
        assertThat(body.path("system").asText()).isEqualTo("You are terse.\n\nAnswer in digits.");
        assertThat(body.path("messages")).hasSize(1);
        assertThat(body.path("temperature").asDouble()).as("clamped to Anthropic's range").isEqualTo(1.0);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("top_k").asInt()).isEqualTo(40);
        assertThat(body.path("stop_sequences").get(0).asText()).isEqualTo("###");
        assertThat(body.path("metadata").path("user_id").asText()).isEqualTo("user-42");
        assertThat(sink.finished().reason()).isEqualTo(StopReason.STOP_SEQUENCE);
        assertThat(sink.finished().stopSequence()).isEqualTo("###");
    }

    @Test
    void toolCallsComeBackAsToolCallDeltasWithStopToolUse() throws Exception {
        // Given an upstream that calls a tool with arguments streamed in three parts
        fake.answerByDefault(Answer.text("Let me check.").withToolCalls(
                new ToolCall("toolu_01A", "get_weather", List.of("{\"city\":", " \"Paris\"", "}"))).withUsage(50, 20));
        InferenceRequest request = Requests.streamedChat("claude-sonnet-4-5", "Weather in Paris?").withTools(Requests.WEATHER_TOOL, ToolChoice.REQUIRED).build();
        RecordingSink sink = new RecordingSink();
        backend.start(request, sink);
        sink.awaitEnd();
        // Then the first delta names the call, later ones carry argument text that joins to the JSON
        List<InferenceEvent.ToolCallDelta> deltas = sink.toolCallDeltas();
        assertThat(deltas.get(0).id()).isEqualTo("toolu_01A");
        assertThat(deltas.get(0).name()).isEqualTo("get_weather");
        assertThat(deltas).allMatch(d -> d.index() == 0);
        String args = deltas.stream().map(InferenceEvent.ToolCallDelta::argumentsJsonPart).reduce("", String::concat);
        assertThat(JSON.readTree(args)).isEqualTo(JSON.readTree("{\"city\":\"Paris\"}"));
        assertThat(sink.finished().reason()).isEqualTo(StopReason.TOOL_USE);
        // And the tool spec went up as input_schema, the choice as {type: any}
        JsonNode body = JSON.readTree(fake.lastRequest().body());
        assertThat(body.path("tools").get(0).path("name").asText()).isEqualTo("get_weather");
        assertThat(body.path("tools").get(0).path("input_schema").path("type").asText()).isEqualTo("object");
        assertThat(body.path("tool_choice").path("type").asText()).isEqualTo("any");
    }

    @Test
    void openAiStyleToolTurnsBecomeToolUseAndToolResultBlocks() throws Exception {
        // Given a conversation as the OpenAI edge gives it: assistant tool call, then a TOOL message, then user text
        Input.Chat chat = new Input.Chat(null, List.of(
                Message.text(Role.USER, "Weather in Paris?"),
                new Message(Role.ASSISTANT, List.of(new Content.ToolUse("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
                new Message(Role.TOOL, List.of(new Content.ToolResult("call_1", List.of(new Content.Text("18C, sunny")), false))),
                Message.text(Role.USER, "And in F?"),
                new Message(Role.USER, List.of(new Content.Image("image/png", "iVBORw0KGgo=", null)))));
        InferenceRequest request = Requests.streamedChat("claude-sonnet-4-5", chat).withTools(Requests.WEATHER_TOOL, ToolChoice.REQUIRED).build();
        backend.start(request, new RecordingSink()).getClass();
        awaitRequests(1);
        JsonNode messages = JSON.readTree(fake.lastRequest().body()).path("messages");
        // Then turns alternate user/assistant/user, the tool result leads the merged user turn
        assertThat(messages).hasSize(3);
        assertThat(messages.get(1).path("content").get(0).path("type").asText()).isEqualTo("tool_use");
        assertThat(messages.get(1).path("content").get(0).path("input").path("city").asText()).isEqualTo("Paris");
        JsonNode userTurn = messages.get(2).path("content");
        assertThat(userTurn.get(0).path("type").asText()).isEqualTo("tool_result");
        assertThat(userTurn.get(0).path("tool_use_id").asText()).isEqualTo("call_1");
        assertThat(userTurn.get(0).path("content").get(0).path("text").asText()).isEqualTo("18C, sunny");
        assertThat(userTurn.get(1).path("text").asText()).isEqualTo("And in F?");
        assertThat(userTurn.get(2).path("source").path("type").asText()).isEqualTo("base64");
        assertThat(userTurn.get(2).path("source").path("media_type").asText()).isEqualTo("image/png");
    }

    @Test
    void dataUrlImagesBecomeBase64SourcesAndHttpUrlsStayUrls() throws Exception {
        Input.Chat chat = new Input.Chat(null, List.of(new Message(Role.USER, List.of(
                new Content.Text("What is this?"),
                new Content.Image(null, null, "data:image/jpeg;base64,/9j/4AAQ"),
                new Content.Image(null, null, "https://example.com/cat.png")))));
        backend.start(Requests.streamedChat("claude-sonnet-4-5", chat).build(), new RecordingSink());
        awaitRequests(1);
        JsonNode content = JSON.readTree(fake.lastRequest().body()).path("messages").get(0).path("content");
        assertThat(content.get(1).path("source").path("data").asText()).isEqualTo("/9j/4AAQ");
        assertThat(content.get(1).path("source").path("media_type").asText()).isEqualTo("image/jpeg");
        assertThat(content.get(2).path("source").path("type").asText()).isEqualTo("url");
    }

    @Test
    void legacyCompletionsAndLogprobsAreNotServedRemotely() {
        InferenceRequest completion = InferenceRequest.builder("r", dev.tandem.server.core.Dialect.OPENAI, "claude-sonnet-4-5",
                new Input.Completion(dev.tandem.models.Prompt.text("def f("), null, false)).withMaxTokens(8).build();
        assertThat(backend.cannotServe(completion)).isPresent();
        assertThat(backend.cannotServe(Requests.streamedChat("claude-sonnet-4-5", "hi").build())).isEmpty();
        assertThat(fake.connections()).isZero();
    }

    private void awaitRequests(int n) throws InterruptedException {
        for (int i = 0; i < 6_000 && fake.requests() < n; i++) {
            Thread.sleep(10);
        }
        assertThat(fake.requests()).isGreaterThanOrEqualTo(n);
    }
}
