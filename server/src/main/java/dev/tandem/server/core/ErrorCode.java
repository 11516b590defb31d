package dev.tandem.server.core;

/**
 * What exactly went wrong, where the {@link ErrorKind} alone is not enough: a dialect may say more
 * (OpenAI's error {@code type} and {@code code}), and a router may act on it.
 */
public enum ErrorCode {
    /** The API key is missing, unknown or revoked. */
    INVALID_API_KEY,
    /** The API key may not use the model asked for. */
    MODEL_NOT_ALLOWED,
    /** A per-key limit (requests, tokens, concurrency): waiting helps. */
    RATE_LIMIT_EXCEEDED,
    /** The key's spend budget is used up: waiting does not help. */
    INSUFFICIENT_QUOTA,
    /** The prompt plus max_tokens does not fit the model's context window: a longer window might. */
    CONTEXT_WINDOW
}
