package dev.tandem.models.scheduler;

import dev.tandem.models.InvalidGenerationException;

/**
 * Whether a request fits the served context window: today's checks in one function, until they fold
 * into the shared {@code ContextWindow}.
 */
final class ContextWindowCheck {
    private ContextWindowCheck() {}

    /** @throws InvalidGenerationException naming max_tokens (or the prompt, when it alone is too long) */
    static void check(int promptTokens, int maxTokens, int maxModelLen) {
        if (promptTokens >= maxModelLen) {
            throw new InvalidGenerationException("prompt", "the prompt has " + promptTokens
                    + " tokens, but the context window holds " + maxModelLen + " tokens with the output; shorten the prompt");
        }
        int need = promptTokens + maxTokens;
        if (need > maxModelLen) {
            throw new InvalidGenerationException("max_tokens", "the prompt has " + promptTokens + " tokens and max_tokens is "
                    + maxTokens + ": together " + need + ", more than the context window of " + maxModelLen
                    + " tokens; lower max_tokens to at most " + (maxModelLen - promptTokens) + " or shorten the prompt");
        }
    }
}
