package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.ops.metrics.PromText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local engine's prefix cache as clients and operators see it: a conversation sent again is served
 * from cached KV blocks, and the usage says how many prompt tokens were (OpenAI
 * {@code prompt_tokens_details.cached_tokens}, Anthropic {@code cache_read_input_tokens}, counted apart
 * from {@code input_tokens} as Claude does); /metrics counts queries, hits and the block pool.
 */
class PrefixCacheIT {
    private static final int BLOCK = 16;
    /** A user turn long enough to fill several KV blocks of the tiny model's tokenizer. */
    private static final String LONG = "Here is the file we are working on, and the tools you may call. ".repeat(6);

    private static String openAi(boolean stream) {
        return "{\"model\":\"tiny\",\"max_tokens\":2,\"temperature\":0" + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + LONG + "\"}]}";
    }

    private static String anthropic(boolean stream) {
        return "{\"model\":\"tiny\",\"max_tokens\":2,\"temperature\":0" + (stream ? ",\"stream\":true" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + LONG + "\"}]}";
    }

    /** What a repeated prompt of {@code promptTokens} gets from the cache: its full blocks, never its last token. */
    private static int cachedWhenRepeated(int promptTokens) {
        return (promptTokens - 1) / BLOCK * BLOCK;
    }

    private static JsonNode ok(TestServer server, String path, String body) {
        var response = server.post(path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestServer.json(response.body());
    }

    private static JsonNode lastUsageChunk(String sse) {
        List<String> data = Sse.parse(sse).data();
        return TestServer.json(data.get(data.size() - 2)).get("usage"); // the usage chunk precedes [DONE]
    }

    private static JsonNode messageDeltaUsage(String sse) {
        return Sse.parse(sse).frames().stream().filter(f -> "message_delta".equals(f.event()))
                .map(f -> TestServer.json(f.data()).get("usage")).findFirst().orElseThrow();
    }

    @Test
    void aRepeatedConversationIsServedFromTheCacheAndEachDialectSaysHowMuch(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir, Map.of("engine.blockSize", Integer.toString(BLOCK)))) {
            // Given a conversation computed once: nothing of it was cached
            JsonNode first = ok(server, "/v1/chat/completions", openAi(false));
            int prompt = first.at("/usage/prompt_tokens").asInt();
            int cached = cachedWhenRepeated(prompt);
            assertThat(cached).as("the prompt spans several blocks").isGreaterThanOrEqualTo(3 * BLOCK);
            assertThat(first.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();

            // When it is sent again, in each dialect, streamed and not
            JsonNode again = ok(server, "/v1/chat/completions", openAi(false));
            JsonNode streamedUsage = lastUsageChunk(server.post("/v1/chat/completions", openAi(true)).body());
            JsonNode claude = ok(server, "/v1/messages", anthropic(false));
            JsonNode claudeStreamed = messageDeltaUsage(server.post("/v1/messages", anthropic(true)).body());

            // Then every answer was served from the cache for all full blocks but the one with the last token
            assertThat(again.at("/usage/prompt_tokens").asInt()).isEqualTo(prompt);
            assertThat(again.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(cached);
            assertThat(streamedUsage.at("/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(cached);
            // Claude's usage counts the cached tokens apart: input_tokens are the ones computed
            assertThat(claude.at("/usage/cache_read_input_tokens").asInt()).isEqualTo(cached);
            assertThat(claude.at("/usage/input_tokens").asInt()).isEqualTo(prompt - cached);
            assertThat(claude.at("/usage/cache_creation_input_tokens").asInt()).isZero();
            assertThat(claudeStreamed.get("cache_read_input_tokens").asInt()).isEqualTo(cached);
            assertThat(claudeStreamed.get("input_tokens").asInt()).isEqualTo(prompt - cached);

            // And /metrics counts five lookups of the whole prompt, four hits, and a pool no sequence holds now
            assertThat(server.awaitIdle(Duration.ofSeconds(60))).isTrue();
            PromText metrics = PromText.parse(server.get("/metrics").body());
            assertThat(metrics.value("tandem_engine_prefix_cache_queried_tokens_total")).isEqualTo(5.0 * prompt);
            assertThat(metrics.value("tandem_engine_prefix_cache_hit_tokens_total")).isEqualTo(4.0 * cached);
            assertThat(metrics.value("tandem_engine_kv_cache_blocks", "state", "used")).isZero();
            assertThat(metrics.value("tandem_engine_kv_cache_blocks", "state", "free") * BLOCK)
                    .isEqualTo((double) server.engine().load().kvTokensTotal());
        }
    }

    @Test
    void withPrefixCachingOffNothingIsServedFromTheCache(@TempDir Path dir) {
        try (TestServer server = TestServer.start(dir, Map.of("engine.prefixCaching", "false"))) {
            ok(server, "/v1/chat/completions", openAi(false));
            JsonNode again = ok(server, "/v1/chat/completions", openAi(false));
            JsonNode claude = ok(server, "/v1/messages", anthropic(false));
            assertThat(again.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
            assertThat(claude.at("/usage/cache_read_input_tokens").asInt()).isZero();
            assertThat(claude.at("/usage/input_tokens").asInt()).isEqualTo(again.at("/usage/prompt_tokens").asInt());
            assertThat(PromText.parse(server.get("/metrics").body()).value("tandem_engine_prefix_cache_hit_tokens_total")).isZero();
        }
    }
}
