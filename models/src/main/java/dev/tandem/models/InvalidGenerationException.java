package dev.tandem.models;

/**
 * The request cannot be served as given (prompt plus max_tokens beyond the context window, token ids
 * outside the vocabulary, an empty prompt). Not retriable; the message says what to fix.
 */
public final class InvalidGenerationException extends EngineException {
    private final String param;

    public InvalidGenerationException(String param, String message) {
        super(message);
        this.param = param;
    }

    /** The request field at fault, in OpenAI's naming ("prompt", "max_tokens"), or null. */
    public String param() {
        return param;
    }
}
