package dev.tandem.models;

/**
 * Tokens read and written by one generation.
 *
 * @param cachedPromptTokens prompt tokens whose keys and values came from the prefix cache (not computed)
 */
public record Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || cachedPromptTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
        if (cachedPromptTokens > promptTokens) {
            throw new IllegalArgumentException("cached prompt tokens cannot exceed the prompt's");
        }
    }

    /** Nothing cached. */
    public Usage(int promptTokens, int completionTokens) {
        this(promptTokens, completionTokens, 0);
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
