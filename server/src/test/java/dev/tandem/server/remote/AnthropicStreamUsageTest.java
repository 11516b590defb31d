package dev.tandem.server.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.fakes.Defaults;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Usage read from a Messages stream: never lost, never double counted, whatever the upstream leaves out. */
class AnthropicStreamUsageTest {
    private final List<InferenceEvent> events = new ArrayList<>();
    private final AnthropicWire.Stream stream = new AnthropicWire.Stream(
            Upstream.of("anthropic", Defaults.CONFIG.remotes().get("anthropic").toBuilder().withApiKey("sk-test").build()),
            events::add, 17);

    private void feed(String type, String data) {
        stream.onEvent(new SseReader.Event(type, data));
    }

    private InferenceEvent.Finished finished() {
        return (InferenceEvent.Finished) events.get(events.size() - 1);
    }

    @Test
    void anUpstreamThatDoesNotSayInputTokensGetsThePromptCounted() {
        // Given a proxy whose message_start has no usage at all, and message_delta only output tokens
        feed("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"claude-x\",\"content\":[]}}");
        feed("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}");
        feed("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}");
        feed("message_stop", "{\"type\":\"message_stop\"}");
        // Then Started and Finished carry the counted prompt, not 0
        assertThat(((InferenceEvent.Started) events.get(0)).inputTokens()).isEqualTo(17);
        assertThat(finished().usage()).isEqualTo(new TokenUsage(17, 3));
    }

    @Test
    void cachedPromptTokensFromMessageStartSurviveAMessageDeltaThatRepeatsOnlyInputTokens() {
        // Given 10 fresh + 100 cache-read prompt tokens in message_start
        feed("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"claude-x\",\"content\":[],"
                + "\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":100,\"output_tokens\":1}}}");
        // When message_delta repeats input_tokens without the cache fields
        feed("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":8}}");
        feed("message_stop", "{\"type\":\"message_stop\"}");
        // Then the cached tokens are still counted (and said to be cached), and output is message_delta's cumulative figure
        assertThat(((InferenceEvent.Started) events.get(0)).inputTokens()).isEqualTo(110);
        assertThat(finished().usage()).isEqualTo(new TokenUsage(110, 8, 100));
    }
}
