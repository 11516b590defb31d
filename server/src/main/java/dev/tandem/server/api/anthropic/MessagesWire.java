package dev.tandem.server.api.anthropic;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.TokenUsage;
import java.util.List;
import java.util.Map;

/** Anthropic Messages on the wire (snake_case through the mapper). */
final class MessagesWire {
    private MessagesWire() {}

    /** {@code others}: the fields this record does not read, for {@link MessagesRequests#FIELDS}. */
    record Request(
            String model,
            List<MessageIn> messages,
            JsonNode system,
            Integer maxTokens,
            Double temperature,
            Double topP,
            Integer topK,
            JsonNode stopSequences,
            Metadata metadata,
            Boolean stream,
            List<JsonNode> tools,
            JsonNode toolChoice,
            JsonNode outputConfig,
            JsonNode outputFormat,
            @JsonAnySetter Map<String, JsonNode> others) {}

    record MessageIn(String role, JsonNode content) {}

    record Metadata(String userId) {}

    record CountTokensRequest(String model, List<MessageIn> messages, JsonNode system, List<JsonNode> tools) {}

    record CountTokensResponse(int inputTokens) {}

    // Responses

    /** {@code content} holds thinking blocks first, then {@link TextBlock}s and {@link ToolUseBlock}s. */
    record Message(String id, String type, String role, String model, List<Object> content, String stopReason,
            String stopSequence, Usage usage) {}

    record TextBlock(String type, String text) {}

    record ToolUseBlock(String type, String id, String name, JsonNode input) {}

    record ThinkingBlock(String type, String thinking, String signature) {}

    record RedactedThinkingBlock(String type, String data) {}

    /** As Claude counts: {@code inputTokens} are the prompt tokens computed, the cached ones are counted apart. */
    record Usage(int inputTokens, int outputTokens, int cacheCreationInputTokens, int cacheReadInputTokens) {
        static Usage of(TokenUsage u) {
            return new Usage(u.uncachedInputTokens(), u.outputTokens(), 0, u.cachedInputTokens());
        }
    }

    /**
     * message_delta's cumulative usage. {@code inputTokens} and {@code cacheReadInputTokens} repeat the
     * final prompt figures, which matters when message_start had only an estimate (a backend that
     * reports usage at the end, or the local engine, which knows its prefix-cache hit only once the
     * request is scheduled).
     */
    record OutputUsage(int inputTokens, int outputTokens, int cacheReadInputTokens) {}

    record MessageStart(String type, Message message) {}

    record ContentBlockStart(String type, int index, Object contentBlock) {}

    record ContentBlockDelta(String type, int index, Object delta) {}

    record TextDelta(String type, String text) {}

    record InputJsonDelta(String type, String partialJson) {}

    record ThinkingDelta(String type, String thinking) {}

    record SignatureDelta(String type, String signature) {}

    record ContentBlockStop(String type, int index) {}

    record MessageDelta(String type, StopDelta delta, OutputUsage usage) {}

    record StopDelta(String stopReason, String stopSequence) {}

    record Typed(String type) {}
}
