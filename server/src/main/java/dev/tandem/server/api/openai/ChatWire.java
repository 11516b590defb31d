package dev.tandem.server.api.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** OpenAI Chat Completions on the wire (snake_case through the mapper). */
final class ChatWire {
    private ChatWire() {}

    /** {@code others}: the fields this record does not read, for {@link ChatRequests#FIELDS}. */
    record Request(
            String model,
            List<MessageIn> messages,
            Integer maxTokens,
            Integer maxCompletionTokens,
            Double temperature,
            Double topP,
            Long seed,
            JsonNode stop,
            Integer n,
            Double presencePenalty,
            Double frequencyPenalty,
            Boolean logprobs,
            Integer topLogprobs,
            Boolean stream,
            StreamOptions streamOptions,
            String user,
            List<JsonNode> tools,
            JsonNode toolChoice,
            Boolean parallelToolCalls,
            JsonNode responseFormat,
            JsonNode logitBias,
            // vLLM extensions
            Integer topK,
            Double minP,
            Double repetitionPenalty,
            Boolean ignoreEos,
            Integer minTokens,
            List<Integer> stopTokenIds,
            @JsonAnySetter Map<String, JsonNode> others) {}

    record MessageIn(String role, JsonNode content, String name, List<ToolCallIn> toolCalls, String toolCallId) {}

    record ToolCallIn(String id, String type, FunctionCall function) {}

    record FunctionCall(String name, String arguments) {}

    record StreamOptions(Boolean includeUsage) {}

    // Responses

    record Completion(String id, String object, long created, String model, List<Choice> choices, OpenAiUsage usage,
            String systemFingerprint) {}

    record Choice(int index, AssistantMessage message, Logprobs logprobs, String finishReason) {}

    record AssistantMessage(String role, String content, String refusal,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ToolCallOut> toolCalls) {}

    record ToolCallOut(String id, String type, FunctionCall function) {}

    record Logprobs(List<TokenLogprob> content, Object refusal) {}

    record TokenLogprob(String token, double logprob, List<Integer> bytes, List<TopLogprob> topLogprobs) {}

    record TopLogprob(String token, double logprob, List<Integer> bytes) {}

    record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices, OpenAiUsage usage,
            String systemFingerprint) {}

    record ChunkChoice(int index, Delta delta, Logprobs logprobs, String finishReason) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content, List<ToolCallChunk> toolCalls) {
        Delta(String role, String content) {
            this(role, content, null);
        }
    }

    /** A tool call's part in a chunk: the first has id, type and name; later ones argument text. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolCallChunk(int index, String id, String type, FunctionChunk function) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FunctionChunk(String name, String arguments) {}
}
