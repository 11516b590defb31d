package dev.tandem.models;

import java.time.Duration;

/** The wait queue is full: the request was refused, nothing was started. Retriable. */
public final class EngineSaturatedException extends EngineException {
    private final Duration retryAfter;

    public EngineSaturatedException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** A hint for the caller's Retry-After. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
