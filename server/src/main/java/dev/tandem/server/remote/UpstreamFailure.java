package dev.tandem.server.remote;

import dev.tandem.server.core.ApiException;
import java.time.Duration;

/**
 * One failed attempt at an upstream, before anything reached the client. Carries the caller-safe
 * error and, when another attempt is worth it, the delay before it (null: do not retry). Lives only
 * between an attempt and the retry policy.
 */
final class UpstreamFailure extends RuntimeException {
    private final ApiException error;
    private final boolean transientFailure;
    private Duration retryDelay;

    /**
     * @param transientFailure may pass on its own (5xx, 429, 529, timeouts, resets); false for
     *     client errors and spend limits, which are never retried nor counted by the circuit breaker
     */
    UpstreamFailure(ApiException error, boolean transientFailure) {
        super(error.getMessage(), error, false, false);
        this.error = error;
        this.transientFailure = transientFailure;
    }

    ApiException error() {
        return error;
    }

    boolean transientFailure() {
        return transientFailure;
    }

    Duration retryDelay() {
        return retryDelay;
    }

    UpstreamFailure withRetryDelay(Duration v) {
        this.retryDelay = v;
        return this;
    }
}
