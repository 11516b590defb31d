package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.MessageCreateParams;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tandem.models.Engines;
import dev.tandem.server.TestServer;
import dev.tandem.server.fakes.FakeAnthropic;
import dev.tandem.server.fakes.FakeOpenAi;
import dev.tandem.server.fakes.FakeUpstream.Answer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server (assembly, edge, router, real engine with one slot) with fake upstreams: the
 * official SDKs get answers from each backend, and a busy engine overflows to the remote and comes
 * back when it drains, with the route in the response headers.
 */
class HybridServerIT {
    @TempDir
    static Path dir;
    static FakeAnthropic anthropic;
    static FakeOpenAi openai;
    static TestServer server;

    @BeforeAll
    static void start() {
        anthropic = new FakeAnthropic();
        openai = new FakeOpenAi();
        server = TestServer.start(dir, remoteSettings(anthropic, openai, "prefer-local"), TestServer.longContext(), Engines::open, true);
    }

    static Map<String, String> remoteSettings(FakeAnthropic anthropic, FakeOpenAi openai, String policy) {
        Map<String, String> s = new HashMap<>();
        s.put("engine.maxRunning", "1");
        s.put("engine.maxWaiting", "0");
        s.put("routing.policy", policy);
        s.put("remotes.anthropic.baseUrl", anthropic.baseUrl());
        s.put("remotes.anthropic.apiKey", anthropic.apiKey());
        s.put("remotes.openai.baseUrl", openai.baseUrl());
        s.put("remotes.openai.apiKey", openai.apiKey());
        return s;
    }

    @AfterAll
    static void stop() {
        server.close();
        anthropic.close();
        openai.close();
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
        // Given the only slot held by a long stream
        HttpRequest hog = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":8000,\"ignore_eos\":true,\"stream\":true}"))
                .build();
        HttpResponse<InputStream> held = server.http().send(hog, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(held.statusCode()).isEqualTo(200);
        assertThat(server.awaitRunning(1, Duration.ofSeconds(5))).isTrue();

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
        held.body().close();
        assertThat(server.awaitIdle(Duration.ofSeconds(5))).isTrue();
        HttpResponse<String> back = server.post("/v1/chat/completions", chat);
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.headers().firstValue("x-tandem-backend")).contains("local");
        assertThat(back.headers().firstValue("x-tandem-route")).contains("primary");
    }
}
