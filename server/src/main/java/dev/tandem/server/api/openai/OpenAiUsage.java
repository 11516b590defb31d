package dev.tandem.server.api.openai;

import dev.tandem.server.core.TokenUsage;
import java.util.List;

/** OpenAI's usage object. */
record OpenAiUsage(int promptTokens, int completionTokens, int totalTokens) {

    /**
     * Usage of a response with {@code perPrompt} choices per prompt: each prompt is counted once,
     * every choice's output is counted.
     */
    static OpenAiUsage of(List<TokenUsage> perChoice, int perPrompt) {
        int prompt = 0;
        int completion = 0;
        for (int i = 0; i < perChoice.size(); i++) {
            TokenUsage usage = perChoice.get(i);
            if (usage == null) {
                continue;
            }
            if (i % perPrompt == 0) {
                prompt += usage.inputTokens();
            }
            completion += usage.outputTokens();
        }
        return new OpenAiUsage(prompt, completion, prompt + completion);
    }
}
