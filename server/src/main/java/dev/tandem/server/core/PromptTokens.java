package dev.tandem.server.core;

import java.util.Objects;

/**
 * A prompt as the model that would serve it reads it.
 *
 * @param ids the token ids
 * @param contextLength the model's context window, in tokens
 */
public record PromptTokens(int[] ids, int contextLength) {
    public PromptTokens {
        Objects.requireNonNull(ids, "ids");
    }

    public int count() {
        return ids.length;
    }
}
