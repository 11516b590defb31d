package dev.tandem.server.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.fakes.RecordingSink;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.fakes.Upstreams;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeOpenAi;
import dev.tandem.testkit.FakeUpstream;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.ToolCall;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller that does not stream gets its answer asked for whole (one JSON body upstream, as the caller
 * asked), translated into the events the stream of the same answer gives.
 */
class UnstreamedRepliesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Answer TOOL_ANSWER = Answer.text("Let me ", "check.").withToolCalls(
            new ToolCall("call_A", "get_weather", List.of("{\"city\":", "\"Paris\"}")),
            new ToolCall("call_B", "get_weather", List.of("{\"city\":\"Rome\"}"))).withUsage(61, 29);
    private final FakeAnthropic anthropic = new FakeAnthropic();
    private final FakeOpenAi openai = new FakeOpenAi();
    private final RemoteBackend claude = new RemoteBackend("anthropic", Upstreams.anthropic(anthropic, Upstreams.fast()), null);
    private final RemoteBackend gpt = new RemoteBackend("openai", Upstreams.openai(openai, Upstreams.fast()), null);

    @AfterEach
    void close() {
        claude.close();
        gpt.close();
        anthropic.close();
        openai.close();
    }

    /** What a caller sees of an answer: text, each tool call (id, name, arguments), how it finished. */
    private record Seen(String text, List<String> toolCalls, InferenceEvent.Finished finished) {
        static Seen of(RecordingSink sink) {
            List<InferenceEvent.ToolCallDelta> deltas = sink.toolCallDeltas();
            List<String> calls = deltas.stream().filter(d -> d.id() != null)
                    .map(first -> first.id() + " " + first.name() + " " + deltas.stream().filter(d -> d.index() == first.index())
                            .map(InferenceEvent.ToolCallDelta::argumentsJsonPart).reduce("", String::concat).replace(" ", ""))
                    .toList();
            return new Seen(sink.text(), calls, sink.finished());
        }
    }

    private static RecordingSink run(RemoteBackend backend, InferenceRequest request) {
        RecordingSink sink = new RecordingSink();
        backend.start(request, sink);
        return sink.awaitEnd();
    }

    private static JsonNode lastBody(FakeUpstream fake) throws Exception {
        return JSON.readTree(fake.lastRequest().body());
    }

    @Test
    void anthropicAnswersTheSameWholeAsStreamed() throws Exception {
        anthropic.answerByDefault(TOOL_ANSWER);
        InferenceRequest streamed = Requests.streamedChat("claude-sonnet-4-5", "Paris and Rome?").withTools(Requests.WEATHER_TOOL, ToolChoice.REQUIRED).build();
        Seen asStream = Seen.of(run(claude, streamed));
        // When the same request comes from a caller that does not stream
        RecordingSink sink = run(claude, streamed.toBuilder().withStream(false).build());
        // Then the upstream was asked for one JSON answer
        assertThat(lastBody(anthropic).path("stream").asBoolean(true)).isFalse();
        assertThat(anthropic.lastRequest().headers()).containsEntry("accept", "application/json");
        // And the caller sees what the stream gave: text, both tool calls whole, reason and usage
        Seen whole = Seen.of(sink);
        assertThat(whole).isEqualTo(asStream);
        assertThat(whole.toolCalls()).containsExactly("call_A get_weather {\"city\":\"Paris\"}", "call_B get_weather {\"city\":\"Rome\"}");
        assertThat(whole.finished().reason()).isEqualTo(StopReason.TOOL_USE);
        assertThat(whole.finished().usage()).isEqualTo(new TokenUsage(61, 29));
        assertThat(sink.started().inputTokens()).isEqualTo(61);
        assertThat(sink.events()).filteredOn(InferenceEvent.Started.class::isInstance).hasSize(1);
    }

    @Test
    void aLongGenerationIsStreamedFromTheUpstreamAndGatheredAllTheSame() throws Exception {
        // Given whole replies only up to max_tokens 32, and a caller that does not stream asking for 64
        Resilience r = Upstreams.fast().toBuilder().withWholeReplyMaxTokens(32).build();
        try (RemoteBackend shortReplies = new RemoteBackend("anthropic", Upstreams.anthropic(anthropic, r), null)) {
            anthropic.answerByDefault(Answer.text("one ", "two ", "three").withUsage(10, 3));
            RecordingSink sink = run(shortReplies, Requests.streamedChat("claude-sonnet-4-5", "count").withStream(false).build());
            // Then the upstream streamed it (a long generation is timed out by its silences, not its length)
            assertThat(lastBody(anthropic).path("stream").asBoolean()).isTrue();
            assertThat(anthropic.lastRequest().headers()).containsEntry("accept", "text/event-stream");
            assertThat(sink.text()).isEqualTo("one two three");
            assertThat(sink.finished().usage()).isEqualTo(new TokenUsage(10, 3));
        }
    }

    @Test
    void anthropicStopSequenceComesThrough() {
        anthropic.answerByDefault(Answer.text("a, b, c").withStop("stop_sequence", "###").withUsage(40, 6));
        RecordingSink sink = run(claude, Requests.streamedChat("claude-sonnet-4-5", "list").withStream(false).build());
        assertThat(sink.text()).isEqualTo("a, b, c");
        assertThat(sink.finished().reason()).isEqualTo(StopReason.STOP_SEQUENCE);
        assertThat(sink.finished().stopSequence()).isEqualTo("###");
        assertThat(sink.finished().usage()).isEqualTo(new TokenUsage(40, 6));
    }

    @Test
    void anOpenAiHostsCachedPromptTokensComeThroughInTheUsage() throws Exception {
        WireFormat wire = new OpenAiWire(Upstream.of("openai", Upstreams.openai(openai, Upstreams.fast())));
        // Given a reply whose 2,006-token prompt had 1,920 tokens served from OpenAI's prompt cache
        List<InferenceEvent> events = new ArrayList<>();
        wire.translateReply(JSON.readTree("""
                {"id":"c","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant",
                 "content":"hi"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":2006,"completion_tokens":3,"total_tokens":2009,"prompt_tokens_details":{"cached_tokens":1920}}}
                """), "gpt-4o", 17, events::add);
        // Then the usage says so (and a host that does not say has nothing cached)
        assertThat(((InferenceEvent.Finished) events.get(events.size() - 1)).usage()).isEqualTo(new TokenUsage(2006, 3, 1920));
        List<InferenceEvent> plain = new ArrayList<>();
        wire.translateReply(JSON.readTree("""
                {"id":"c","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant",
                 "content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":3,"total_tokens":23}}
                """), "gpt-4o", 17, plain::add);
        assertThat(((InferenceEvent.Finished) plain.get(plain.size() - 1)).usage()).isEqualTo(new TokenUsage(20, 3, 0));
    }

    @Test
    void anthropicReplyUsageCountsCachedPromptTokensOrElseTheCountedPrompt() throws Exception {
        WireFormat wire = new AnthropicWire(Upstream.of("anthropic", Upstreams.anthropic(anthropic, Upstreams.fast())));
        // Given a reply whose prompt was 10 fresh, 5 cache-written and 100 cache-read tokens
        List<InferenceEvent> cached = new ArrayList<>();
        wire.translateReply(JSON.readTree("""
                {"type":"message","model":"claude-x","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":3}}
                """), "claude-sonnet-4-5", 17, cached::add);
        // Then all 115 are the prompt, as in a stream's message_start, 100 of them read from the cache
        assertThat(((InferenceEvent.Started) cached.get(0)).inputTokens()).isEqualTo(115);
        assertThat(((InferenceEvent.Finished) cached.get(cached.size() - 1)).usage()).isEqualTo(new TokenUsage(115, 3, 100));
        // And a proxy's reply with neither usage nor type gets the counted prompt (17), not 0
        List<InferenceEvent> bare = new ArrayList<>();
        wire.translateReply(JSON.readTree("""
                {"model":"claude-x","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn"}
                """), "claude-sonnet-4-5", 17, bare::add);
        assertThat(((InferenceEvent.Started) bare.get(0)).inputTokens()).isEqualTo(17);
        assertThat(((InferenceEvent.TextDelta) bare.get(1)).text()).isEqualTo("hi");
        assertThat(((InferenceEvent.Finished) bare.get(2)).usage()).isEqualTo(new TokenUsage(17, 0));
    }

    @Test
    void openAiAnswersTheSameWholeAsStreamedWithTheRealPromptCountAtStart() throws Exception {
        openai.answerByDefault(TOOL_ANSWER);
        InferenceRequest streamed = Requests.streamedChat("gpt-4o", "Paris and Rome?").withTools(Requests.WEATHER_TOOL, ToolChoice.REQUIRED).build();
        RecordingSink streamSink = run(gpt, streamed);
        RecordingSink sink = run(gpt, streamed.toBuilder().withStream(false).build());
        // The body asks for no stream, and so carries no stream_options (the API refuses them without a stream)
        JsonNode body = lastBody(openai);
        assertThat(body.path("stream").asBoolean(true)).isFalse();
        assertThat(body.has("stream_options")).isFalse();
        assertThat(openai.lastRequest().headers()).containsEntry("accept", "application/json");
        assertThat(Seen.of(sink)).isEqualTo(Seen.of(streamSink));
        assertThat(Seen.of(sink).toolCalls()).hasSize(2);
        assertThat(sink.finished().usage()).isEqualTo(new TokenUsage(61, 29));
        // A stream says the prompt's size only at its end, so its Started carries an estimate; a whole answer says it at once
        assertThat(streamSink.started().inputTokens()).isEqualTo(PromptEstimate.tokens(streamed));
        assertThat(sink.started().inputTokens()).isEqualTo(61);
    }

    @Test
    void anOpenAiCompatibleHostWithoutUsageIsCountedAsItsStreamWouldBe() {
        // Given a host that reports no usage, streamed or not
        openai.sendsUsage(false).answerByDefault(Answer.text("twelve chars", " and eight").withUsage(99, 99));
        InferenceRequest streamed = Requests.streamedChat("gpt-4o", "count the characters").build();
        RecordingSink streamSink = run(gpt, streamed);
        RecordingSink sink = run(gpt, streamed.toBuilder().withStream(false).build());
        // Then both count the prompt as Tandem estimates it and the output at ~4 characters a token
        TokenUsage estimate = new TokenUsage(PromptEstimate.tokens(streamed), ("twelve chars and eight".length() + 3) / 4);
        assertThat(streamSink.finished().usage()).isEqualTo(estimate);
        assertThat(sink.finished().usage()).isEqualTo(estimate);
        assertThat(sink.started().inputTokens()).isEqualTo(estimate.inputTokens());
    }

    @Test
    void openAiLengthFinishIsMaxTokens() {
        openai.answerByDefault(Answer.text("abcdefgh").withStop("length", null).withUsage(9, 4));
        RecordingSink sink = run(gpt, Requests.streamedChat("gpt-4o", "go").withStream(false).build());
        assertThat(sink.text()).isEqualTo("abcdefgh");
        assertThat(sink.finished().reason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(sink.finished().usage()).isEqualTo(new TokenUsage(9, 4));
    }
}
