package dev.tandem.server.api.openai;

import dev.tandem.server.core.TokenUsage;
import java.util.List;

/** OpenAI's usage object; {@code prompt_tokens_details.cached_tokens}: prompt tokens served from a cache. */
record OpenAiUsage(int promptTokens, int completionTokens, int totalTokens, PromptTokensDetails promptTokensDetails) {

    record PromptTokensDetails(int cachedTokens) {}

    /**
     * Usage of a response with {@code perPrompt} choices per prompt: each prompt is counted once,
     * every choice's output is counted.
     */
    static OpenAiUsage of(List<TokenUsage> perChoice, int perPrompt) {
        int prompt = 0;
        int cached = 0;
        int completion = 0;
        for (int i = 0; i < perChoice.size(); i++) {
            TokenUsage usage = perChoice.get(i);
            if (usage == null) {
                continue;
            }
            if (i % perPrompt == 0) {
                prompt += usage.inputTokens();
                cached += usage.cachedInputTokens();
            }
            completion += usage.outputTokens();
        }
        return new OpenAiUsage(prompt, completion, prompt + completion, new PromptTokensDetails(cached));
    }
}
