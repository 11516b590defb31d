package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tandem.server.Hog;
import dev.tandem.server.TestServer;
import dev.tandem.testkit.FakeUpstream.Answer;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The whole server (assembly, edge, router, real engine with one slot) with fake upstreams: the
 * official SDKs get answers from each backend, and a busy engine overflows to the remote and comes
 * back when it drains, with the route in the response headers.
 */
class HybridServerIT extends HybridServerSetup {

    @Override
    protected String policy() {
        return "prefer-local";
    }

    @Test
    void theOpenAiSdkGetsClaudeAndTheAnthropicSdkGetsOpenAi() {
        anthropic.answerByDefault(Answer.text("From", " Claude.").withUsage(12, 3));
        openai.answerByDefault(Answer.text("From", " GPT.").withUsage(13, 4));
        ChatCompletion c = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("unused").maxRetries(0).build()
                .chat().completions().create(ChatCompletionCreateParams.builder().model("claude-sonnet-4-5")
                        .addUserMessage("who are you?").maxCompletionTokens(20).build());
        assertThat(c.choices().get(0).message().content()).contains("From Claude.");
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(12);

        var m = AnthropicOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("unused").maxRetries(0).build()
                .messages().create(MessageCreateParams.builder().model("gpt-4o").maxTokens(20).addUserMessage("who are you?").build());
        assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo("From GPT.");
        assertThat(m.usage().inputTokens()).isEqualTo(13);
    }

    @Test
    void aBusyEngineOverflowsToTheRemoteAndTrafficReturnsWhenItDrains() throws Exception {
        anthropic.answerByDefault(Answer.text("Overflow", " answer.").withUsage(9, 2));
        String chat = "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        // Given the only slot held by a stream that lasts until the test closes it
        Hog held = Hog.start(server);
        assertThat(server.awaitRunning(1, Duration.ofSeconds(60))).isTrue();

        // When a chat request for the local model comes, in either dialect
        HttpResponse<String> overflow = server.post("/v1/chat/completions", chat);
        HttpResponse<String> overflowStream = server.post("/v1/messages",
                "{\"model\":\"tiny\",\"max_tokens\":4,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "anthropic-version", "2023-06-01");
        // And a request that narrows itself to local-only
        HttpResponse<String> narrowed = server.post("/v1/chat/completions", chat, "x-tandem-policy", "local-only");

        // Then the remote answers the first two, marked as overflow, and the narrowed one is refused as busy
        assertThat(overflow.statusCode()).as(overflow.body()).isEqualTo(200);
        assertThat(overflow.headers().firstValue("x-tandem-backend")).contains("anthropic");
        assertThat(overflow.headers().firstValue("x-tandem-route")).contains("saturated");
        assertThat(TestServer.json(overflow.body()).at("/choices/0/message/content").asText()).isEqualTo("Overflow answer.");
        assertThat(overflowStream.statusCode()).isEqualTo(200);
        assertThat(overflowStream.headers().firstValue("x-tandem-route")).contains("saturated");
        assertThat(overflowStream.body()).contains("event: message_start").contains("Overflow").contains("event: message_stop");
        assertThat(narrowed.statusCode()).isEqualTo(429);
        assertThat(narrowed.headers().firstValue("retry-after")).isPresent();

        // And once the engine drains, the local model serves again
        held.close();
        assertThat(server.awaitIdle(Duration.ofSeconds(60))).isTrue();
        HttpResponse<String> back = server.post("/v1/chat/completions", chat);
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.headers().firstValue("x-tandem-backend")).contains("local");
        assertThat(back.headers().firstValue("x-tandem-route")).contains("primary");
    }

    @Test
    void aToolFirstAnswerStreamsItsToolUseBlockAtIndexZeroWithoutAnEmptyTextBlock() {
        // Given Claude answering with a tool call and no text (as it does under tool_choice any)
        anthropic.answerByDefault(Answer.text().withToolCalls(
                new dev.tandem.testkit.FakeUpstream.ToolCall("toolu_1", "get_weather", java.util.List.of("{\"city\":", "\"Oslo\"}")))
                .withUsage(20, 7));
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":50,\"stream\":true,"
                + "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":{\"type\":\"any\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"}]}";
        // When an Anthropic client streams it through Tandem
        HttpResponse<String> response = server.post("/v1/messages", body, "anthropic-version", "2023-06-01");
        // Then the only content block is the tool_use, at index 0, as Claude itself streams it
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        dev.tandem.server.Sse sse = dev.tandem.server.Sse.parse(response.body());
        var starts = sse.frames().stream().filter(f -> f.event().equals("content_block_start")).map(f -> TestServer.json(f.data())).toList();
        assertThat(starts).hasSize(1);
        assertThat(starts.get(0).path("index").asInt()).isZero();
        assertThat(starts.get(0).at("/content_block/type").asText()).isEqualTo("tool_use");
        assertThat(sse.frames().stream().filter(f -> f.event().equals("content_block_delta"))
                .map(f -> TestServer.json(f.data()).path("index").asInt())).containsOnly(0);
        assertThat(sse.frames().stream().filter(f -> f.event().equals("content_block_stop"))).hasSize(1);
        var delta = sse.frames().stream().filter(f -> f.event().equals("message_delta")).map(f -> TestServer.json(f.data())).findFirst().orElseThrow();
        assertThat(delta.at("/delta/stop_reason").asText()).isEqualTo("tool_use");
        assertThat(delta.at("/usage/output_tokens").asInt()).isEqualTo(7);
    }
}
