package dev.tandem.server.core;

/**
 * Tokens of one answer.
 *
 * @param inputTokens the whole prompt
 * @param outputTokens the answer
 * @param cachedInputTokens of the prompt, tokens served from a cache instead of computed: the local
 *     engine's prefix cache, or a remote's prompt cache (OpenAI's cached_tokens, Anthropic's cache reads)
 */
public record TokenUsage(int inputTokens, int outputTokens, int cachedInputTokens) {
    public TokenUsage {
        if (inputTokens < 0 || outputTokens < 0 || cachedInputTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
        if (cachedInputTokens > inputTokens) {
            throw new IllegalArgumentException("cached input tokens (" + cachedInputTokens + ") cannot exceed the input's ("
                    + inputTokens + ")");
        }
    }

    /** Nothing served from a cache. */
    public TokenUsage(int inputTokens, int outputTokens) {
        this(inputTokens, outputTokens, 0);
    }

    /** The prompt tokens that were computed: what Anthropic calls input_tokens. */
    public int uncachedInputTokens() {
        return inputTokens - cachedInputTokens;
    }
}
