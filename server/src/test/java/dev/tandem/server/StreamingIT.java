package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.Engines;
import dev.tandem.server.fakes.Await;
import dev.tandem.server.ops.ledger.UsageRecord;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SSE on the wire, read raw: framing and event order of both dialects, equal greedy answers, cancellation, load. */
class StreamingIT {
    @TempDir
    static Path dir;
    static TestServer server;

    static final String SYSTEM = "You are terse.";
    static final String USER = "Name three prime numbers.";

    @BeforeAll
    static void start() {
        // An endless model: the framing tests want text deltas, and a random model may end an answer at its
        // first token; a window no test outlives for the Hog, with KV for it and the 32 short streams (not 16 hogs)
        server = TestServer.start(dir, Map.of("engine.kvTokenBudget", "73728"), TestServer.hogContext().withEndless(true),
                Engines::open, true);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String openAiChat(boolean stream, int maxTokens, String extra) {
        return """
                {"model":"tiny","max_tokens":%d,"temperature":0,"stream":%s%s,
                 "messages":[{"role":"system","content":"%s"},{"role":"user","content":"%s"}]}
                """.formatted(maxTokens, stream, extra, SYSTEM, USER);
    }

    static String anthropic(boolean stream, int maxTokens) {
        return """
                {"model":"tiny","max_tokens":%d,"temperature":0,"stream":%s,"system":"%s",
                 "messages":[{"role":"user","content":[{"type":"text","text":"%s"}]}]}
                """.formatted(maxTokens, stream, SYSTEM, USER);
    }

    @Test
    void openAiChatStreamIsFramedLikeOpenAis() {
        HttpResponse<String> response = server.post("/v1/chat/completions",
                openAiChat(true, 12, ",\"stream_options\":{\"include_usage\":true}"), "x-request-id", "client-id-1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("x-request-id")).hasValue("client-id-1");
        assertThat(response.headers().firstValue("x-tandem-backend")).hasValue("local");
        assertThat(response.headers().firstValue("x-tandem-route")).hasValue("primary");
        List<String> data = Sse.parse(response.body()).data();
        assertThat(Sse.parse(response.body()).events()).containsOnlyNulls();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");

        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(TestServer::json).toList();
        JsonNode usageChunk = chunks.get(chunks.size() - 1);
        List<JsonNode> choiceChunks = chunks.subList(0, chunks.size() - 1);
        // Given include_usage: one final chunk with no choices and the usage
        assertThat(usageChunk.get("choices")).isEmpty();
        assertThat(usageChunk.at("/usage/prompt_tokens").asInt()).isPositive();
        // The first chunk carries the role, the last one the finish reason, none other has one
        assertThat(choiceChunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(choiceChunks.get(choiceChunks.size() - 1).at("/choices/0/finish_reason").asText()).isIn("stop", "length");
        assertThat(choiceChunks.subList(0, choiceChunks.size() - 1)).allSatisfy(c -> assertThat(c.at("/choices/0/finish_reason").isNull()).isTrue());
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("id").asText()).isEqualTo(chunks.get(0).get("id").asText());
            assertThat(c.get("model").asText()).isEqualTo("tiny");
        });
        int contentChunks = (int) choiceChunks.stream().filter(c -> !c.at("/choices/0/delta/content").asText("").isEmpty()).count();
        assertThat(usageChunk.at("/usage/completion_tokens").asInt()).isBetween(1, 12).isGreaterThanOrEqualTo(contentChunks);
    }

    @Test
    void withoutIncludeUsageThereIsNoUsageChunk() {
        HttpResponse<String> response = server.post("/v1/chat/completions", openAiChat(true, 4, ""));

        List<String> data = Sse.parse(response.body()).data();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        assertThat(data.subList(0, data.size() - 1)).allSatisfy(d -> assertThat(TestServer.json(d).get("choices")).isNotEmpty());
    }

    @Test
    void legacyCompletionStreamIsFramedLikeOpenAis() {
        HttpResponse<String> response = server.post("/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"int main(\",\"max_tokens\":6,\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> data = Sse.parse(response.body()).data();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(TestServer::json).toList();
        assertThat(chunks).allSatisfy(c -> assertThat(c.get("object").asText()).isEqualTo("text_completion"));
        assertThat(chunks.get(chunks.size() - 1).get("choices")).isEmpty();
        assertThat(chunks.get(chunks.size() - 1).at("/usage/completion_tokens").asInt()).isBetween(1, 6);
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isIn("stop", "length");
    }

    @Test
    void anthropicStreamFollowsTheMessagesEventOrder() {
        HttpResponse<String> response = server.post("/v1/messages", anthropic(true, 12), "anthropic-version", "2023-06-01");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-tandem-backend")).hasValue("local");
        Sse sse = Sse.parse(response.body());
        // Every frame's data type equals its event name
        assertThat(sse.frames()).allSatisfy(f -> assertThat(TestServer.json(f.data()).get("type").asText()).isEqualTo(f.event()));
        List<String> events = sse.events().stream().filter(e -> !e.equals("ping")).toList();
        assertThat(events.get(0)).isEqualTo("message_start");
        assertThat(events.get(1)).isEqualTo("content_block_start");
        assertThat(events.subList(2, events.size() - 3)).containsOnly("content_block_delta");
        assertThat(events.subList(events.size() - 3, events.size())).containsExactly("content_block_stop", "message_delta", "message_stop");

        JsonNode start = TestServer.json(sse.frames().get(0).data());
        assertThat(start.at("/message/usage/input_tokens").asInt()).isPositive();
        assertThat(start.at("/message/role").asText()).isEqualTo("assistant");
        JsonNode delta = sse.frames().stream().filter(f -> f.event().equals("message_delta")).map(f -> TestServer.json(f.data())).findFirst().orElseThrow();
        assertThat(delta.at("/delta/stop_reason").asText()).isIn("end_turn", "max_tokens");
        assertThat(delta.at("/usage/output_tokens").asInt()).isBetween(1, 12);
    }

    @Test
    void greedyAnswersAreIdenticalStreamedOrNotAndInBothDialects() {
        // Given the same conversation at temperature 0 asked four ways
        JsonNode openAiPlain = TestServer.json(server.post("/v1/chat/completions", openAiChat(false, 16, "")).body());
        String openAiStreamed = openAiText(server.post("/v1/chat/completions", openAiChat(true, 16, "")).body());
        JsonNode anthropicPlain = TestServer.json(server.post("/v1/messages", anthropic(false, 16)).body());
        String anthropicStreamed = anthropicText(server.post("/v1/messages", anthropic(true, 16)).body());

        String reference = openAiPlain.at("/choices/0/message/content").asText();
        assertThat(openAiStreamed).isEqualTo(reference);
        assertThat(anthropicPlain.at("/content/0/text").asText()).isEqualTo(reference);
        assertThat(anthropicStreamed).isEqualTo(reference);
        // and the same stop and counts, each in its own words
        String finish = openAiPlain.at("/choices/0/finish_reason").asText();
        assertThat(anthropicPlain.get("stop_reason").asText()).isEqualTo(finish.equals("length") ? "max_tokens" : "end_turn");
        assertThat(anthropicPlain.at("/usage/output_tokens").asInt()).isEqualTo(openAiPlain.at("/usage/completion_tokens").asInt());
        // (Claude counts prompt tokens read from the (prefix) cache apart from input_tokens)
        assertThat(anthropicPlain.at("/usage/input_tokens").asInt() + anthropicPlain.at("/usage/cache_read_input_tokens").asInt())
                .isEqualTo(openAiPlain.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void aClientThatDisconnectsMidStreamReleasesItsSlot() throws Exception {
        // Given a stream that lasts until its client goes away, five frames in
        try (Hog hog = Hog.start(server, "x-request-id", "gone-mid-stream")) {
            hog.awaitFrames(4);
            assertThat(server.engine().load().running()).isEqualTo(1);
        } // When the client goes away

        // Then the engine frees the slot, and the ledger says the generation was cancelled (it never ends by itself)
        assertThat(server.awaitIdle(Duration.ofSeconds(60))).isTrue();
        Await.until(() -> !server.ledgerRows("gone-mid-stream").isEmpty(), "the ledger row of the stream");
        assertThat(server.ledgerRows("gone-mid-stream")).extracting(UsageRecord::status).containsExactly("cancelled");
    }

    @Test
    void thirtyTwoConcurrentStreamingClientsAllComplete() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            boolean anthropic = i % 2 == 1;
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + (anthropic ? "/v1/messages" : "/v1/chat/completions")))
                    .timeout(Duration.ofSeconds(120)) // an upper bound for a loaded machine, never a speed expected
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(anthropic ? anthropic(true, 24) : openAiChat(true, 24, "")))
                    .build();
            calls.add(server.http().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }

        IntStream.range(0, calls.size()).forEach(i -> {
            HttpResponse<String> response = calls.get(i).join();
            assertThat(response.statusCode()).as("client %d", i).isEqualTo(200);
            Sse sse = Sse.parse(response.body());
            if (i % 2 == 1) {
                assertThat(sse.events()).as("client %d", i).startsWith("message_start").endsWith("message_stop");
                assertThat(anthropicText(response.body())).isNotNull();
            } else {
                assertThat(sse.data()).as("client %d", i).endsWith("[DONE]");
                assertThat(sse.data().get(sse.data().size() - 2)).contains("\"finish_reason\":\"");
            }
        });
        // (a finished sequence leaves its slot at the engine's next step, after its last event reached the client)
        assertThat(server.awaitIdle(Duration.ofSeconds(60))).isTrue();
    }


    static String openAiText(String body) {
        StringBuilder text = new StringBuilder();
        for (String d : Sse.parse(body).data()) {
            if (!d.equals("[DONE]")) {
                text.append(TestServer.json(d).at("/choices/0/delta/content").asText(""));
            }
        }
        return text.toString();
    }

    static String anthropicText(String body) {
        StringBuilder text = new StringBuilder();
        for (Sse.Frame f : Sse.parse(body).frames()) {
            if ("content_block_delta".equals(f.event())) {
                text.append(TestServer.json(f.data()).at("/delta/text").asText());
            }
        }
        return text.toString();
    }
}
