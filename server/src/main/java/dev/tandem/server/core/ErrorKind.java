package dev.tandem.server.core;

/**
 * The kinds of failure a caller can see. Each dialect maps a kind to its own status and type name
 * in one place; {@link #retriable()} tells retry policies which ones to handle.
 */
public enum ErrorKind {
    INVALID_REQUEST(400, false),
    AUTHENTICATION(401, false),
    PERMISSION(403, false),
    NOT_FOUND(404, false),
    REQUEST_TOO_LARGE(413, false),
    RATE_LIMITED(429, true),
    /** Local engine or upstream saturated. Anthropic: 529 overloaded_error; OpenAI: 429. */
    OVERLOADED(529, true),
    /** An upstream failed in a way that may pass (5xx, reset, malformed reply). */
    UPSTREAM(502, true),
    TIMEOUT(504, true),
    /**
     * Something the server must consult before it may answer is away (the shared store of keys, limits
     * and budgets): the request is refused, never served unchecked. 503 in both dialects.
     */
    UNAVAILABLE(503, true),
    INTERNAL(500, false);

    private final int status;
    private final boolean retriable;

    ErrorKind(int status, boolean retriable) {
        this.status = status;
        this.retriable = retriable;
    }

    /** The natural HTTP status; dialects may override (OpenAI has no 529). */
    public int status() {
        return status;
    }

    public boolean retriable() {
        return retriable;
    }
}
