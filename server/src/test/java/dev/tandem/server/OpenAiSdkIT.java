package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official OpenAI Java SDK, pointed at Tandem, gets well-formed answers, plain and streamed. */
class OpenAiSdkIT {
    @TempDir
    static Path dir;
    static TestServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of());
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("not-checked").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model(TestServer.MODEL)
                .addSystemMessage("You are terse.").addUserMessage("Write a haiku about caches.")
                .maxCompletionTokens(12).temperature(0.0);
    }

    @Test
    void chatCompletionHasTextFinishReasonAndUsage() {
        ChatCompletion completion = client.chat().completions().create(chat().build());

        assertThat(completion.model()).isEqualTo(TestServer.MODEL);
        assertThat(completion.choices()).hasSize(1);
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().content()).isPresent();
        assertThat(choice.finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP, ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(completion.usage()).isPresent();
        assertThat(completion.usage().get().promptTokens()).isPositive();
        assertThat(completion.usage().get().completionTokens()).isBetween(1L, 12L);
        if (choice.finishReason() == ChatCompletion.Choice.FinishReason.LENGTH) {
            assertThat(completion.usage().get().completionTokens()).isEqualTo(12);
        }
    }

    @Test
    void streamedChatAccumulatesToTheSameGreedyAnswer() {
        ChatCompletion plain = client.chat().completions().create(chat().build());

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        ChatCompletionChunk[] last = new ChatCompletionChunk[1];
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                chat().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                accumulator.accumulate(chunk);
                last[0] = chunk;
            });
        }
        ChatCompletion streamed = accumulator.chatCompletion();

        assertThat(streamed.choices().get(0).message().content()).isEqualTo(plain.choices().get(0).message().content());
        assertThat(streamed.choices().get(0).finishReason()).isEqualTo(plain.choices().get(0).finishReason());
        assertThat(last[0].choices()).isEmpty();
        assertThat(last[0].usage()).isPresent();
        assertThat(last[0].usage().get().completionTokens()).isEqualTo(plain.usage().get().completionTokens());
        assertThat(last[0].usage().get().promptTokens()).isEqualTo(plain.usage().get().promptTokens());
    }

    @Test
    void legacyCompletionPlainAndStreamedAgree() {
        CompletionCreateParams params = CompletionCreateParams.builder().model(TestServer.MODEL)
                .prompt("def fibonacci(n):").maxTokens(10).temperature(0.0).build();

        Completion plain = client.completions().create(params);
        StringBuilder streamed = new StringBuilder();
        String[] finish = new String[1];
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> {
                streamed.append(c.text());
                c._finishReason().asKnown().ifPresent(f -> finish[0] = f.asString());
            }));
        }

        assertThat(plain.choices()).hasSize(1);
        assertThat(streamed.toString()).isEqualTo(plain.choices().get(0).text());
        assertThat(finish[0]).isEqualTo(plain.choices().get(0).finishReason().asString());
        assertThat(plain.usage().get().completionTokens()).isBetween(1L, 10L);
    }

    @Test
    void modelsAreListedAndUnknownOnesAreNotFound() {
        List<Model> models = client.models().list().data();

        // the local model first, then the routing aliases (no remote is configured here)
        assertThat(models).extracting(Model::id).containsExactly(TestServer.MODEL, "auto", "default");
        assertThat(client.models().retrieve(TestServer.MODEL).id()).isEqualTo(TestServer.MODEL);
        assertThatThrownBy(() -> client.models().retrieve("gpt-17")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.chat().completions().create(chat().model("gpt-17").build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("gpt-17");
    }
}
