package dev.tandem.server.api.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** OpenAI legacy Completions on the wire, with the vLLM extensions benchmark tools send. */
final class CompletionWire {
    private CompletionWire() {}

    /** {@code others}: the fields this record does not read, for {@link CompletionRequests#FIELDS}. */
    record Request(
            String model,
            JsonNode prompt,
            String suffix,
            Integer maxTokens,
            Double temperature,
            Double topP,
            Long seed,
            JsonNode stop,
            Integer n,
            Integer bestOf,
            Double presencePenalty,
            Double frequencyPenalty,
            Integer logprobs,
            Boolean echo,
            Boolean stream,
            ChatWire.StreamOptions streamOptions,
            String user,
            JsonNode logitBias,
            // vLLM extensions
            Boolean ignoreEos,
            Integer minTokens,
            Integer topK,
            Double minP,
            Double repetitionPenalty,
            Boolean returnTokensAsTokenIds,
            List<Integer> stopTokenIds,
            @JsonAnySetter Map<String, JsonNode> others) {}

    record Completion(String id, String object, long created, String model, List<Choice> choices, OpenAiUsage usage,
            String systemFingerprint) {}

    record Choice(String text, int index, Logprobs logprobs, String finishReason) {}

    /** The legacy logprobs format. */
    record Logprobs(List<String> tokens, List<Float> tokenLogprobs, List<Map<String, Float>> topLogprobs, List<Integer> textOffset) {}
}
