package dev.tandem.server.remote;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try an upstream again: exponential backoff with jitter, never earlier than the upstream's
 * Retry-After, and never past the attempt or total-time budget. Computed here rather than by
 * Failsafe's own backoff because Failsafe applies jitter and its max-duration cut after a computed
 * delay, which could bring a retry forward of the Retry-After hint.
 */
final class RetrySchedule {
    private final Resilience settings;

    RetrySchedule(Resilience settings) {
        this.settings = settings;
    }

    /**
     * The delay before the next attempt, or null when {@code failure} should not be retried.
     *
     * @param attemptsMade attempts so far, the failed one included
     * @param elapsed time since the first attempt started
     */
    Duration next(UpstreamFailure failure, int attemptsMade, Duration elapsed) {
        if (!failure.transientFailure() || attemptsMade >= settings.maxAttempts()) {
            return null;
        }
        Duration delay = backoff(attemptsMade);
        Duration hint = failure.error().retryAfter();
        if (hint != null && hint.compareTo(delay) > 0) {
            delay = hint;
        }
        if (elapsed.plus(delay).toMillis() > settings.maxRetryMs()) {
            return null; // a longer wait than the budget: better to fall back now
        }
        return delay;
    }

    private Duration backoff(int attemptsMade) {
        double base = Math.min(settings.backoffMaxMs(), settings.backoffMs() * Math.pow(2, attemptsMade - 1));
        double jitter = settings.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Duration.ofMillis(Math.max(0, Math.round(base * (1 + jitter))));
    }
}
