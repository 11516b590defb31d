package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official Anthropic Java SDK, pointed at Tandem, gets well-formed messages, plain and streamed. */
class AnthropicSdkIT {
    @TempDir
    static Path dir;
    static TestServer server;
    static AnthropicClient client;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of());
        client = AnthropicOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("not-checked").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static MessageCreateParams.Builder message() {
        return MessageCreateParams.builder().model(TestServer.MODEL).maxTokens(12).putAdditionalBodyProperty("temperature", JsonValue.from(0.0))
                .system("You are terse.").addUserMessage("Write a haiku about caches.");
    }

    @Test
    void messageHasTextStopReasonAndUsage() {
        Message m = client.messages().create(message().build());

        assertThat(m.model().asString()).isEqualTo(TestServer.MODEL);
        assertThat(m.content()).hasSize(1);
        assertThat(m.content().get(0).isText()).isTrue();
        assertThat(m.stopReason()).isPresent();
        assertThat(m.stopReason().get()).isIn(StopReason.END_TURN, StopReason.MAX_TOKENS);
        assertThat(m.usage().inputTokens()).isPositive();
        assertThat(m.usage().outputTokens()).isBetween(1L, 12L);
    }

    @Test
    void streamedMessageAccumulatesToTheSameGreedyAnswer() {
        Message plain = client.messages().create(message().build());

        // The accumulator rejects events out of order, so this also checks the event sequence.
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(message().build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        Message streamed = accumulator.message();

        assertThat(streamed.content().get(0).asText().text()).isEqualTo(plain.content().get(0).asText().text());
        assertThat(streamed.stopReason()).isEqualTo(plain.stopReason());
        assertThat(streamed.usage().inputTokens()).isEqualTo(plain.usage().inputTokens());
        assertThat(streamed.usage().outputTokens()).isEqualTo(plain.usage().outputTokens());
    }

    @Test
    void countTokensMatchesTheMessagesInputTokens() {
        Message m = client.messages().create(message().build());

        long counted = client.messages().countTokens(MessageCountTokensParams.builder().model(TestServer.MODEL)
                .system("You are terse.").addUserMessage("Write a haiku about caches.").build()).inputTokens();

        assertThat(counted).isEqualTo(m.usage().inputTokens());
    }

    @Test
    void badRequestsComeBackAsTheSdksOwnErrors() {
        assertThatThrownBy(() -> client.messages().create(message().putAdditionalBodyProperty("temperature", JsonValue.from(1.5)).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("temperature");
    }
}
