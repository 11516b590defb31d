package dev.tandem.server.remote;

import dev.failsafe.Bulkhead;
import dev.failsafe.BulkheadFullException;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.ErrorKind;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream's Failsafe policies, assembled from its {@link Resilience}: retry (on a delay the
 * {@link RetrySchedule} gives), then a circuit breaker, then a bulkhead; the first attempt runs on the
 * caller's thread ({@link InlineFirstScheduler}).
 */
final class UpstreamPolicies {
    private static final Logger log = LoggerFactory.getLogger(UpstreamPolicies.class);
    /** A full bulkhead knows no ETA; a call usually ends within seconds, so the caller may try again soon. */
    private static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);

    /** How an attempt ended, as far as Failsafe is concerned. */
    enum Outcome {
        FINISHED,
        /** Failed after the commit point: not retried, but a failure to the circuit breaker. */
        FAILED_AFTER_COMMIT,
        CANCELLED
    }

    private final String upstream;
    private final Resilience settings;
    private final RetrySchedule schedule;
    private final CircuitBreaker<Outcome> breaker;
    private final FailsafeExecutor<Outcome> executor;

    UpstreamPolicies(String upstream, Resilience r, ScheduledExecutorService timers) {
        this.upstream = upstream;
        this.settings = r;
        this.schedule = new RetrySchedule(r);
        RetryPolicy<Outcome> retry = RetryPolicy.<Outcome>builder()
                .handleIf(e -> e instanceof UpstreamFailure f && f.retryDelay() != null)
                .withMaxAttempts(r.maxAttempts())
                .withDelayFn(ctx -> ((UpstreamFailure) ctx.getLastException()).retryDelay())
                .onRetryScheduled(e -> log.warn("{} attempt {} failed ({}); retrying in {} ms", upstream, e.getAttemptCount(),
                        e.getLastException().getMessage(), e.getDelay().toMillis()))
                .build();
        this.breaker = CircuitBreaker.<Outcome>builder()
                .handleIf((outcome, e) -> outcome == Outcome.FAILED_AFTER_COMMIT
                        || e instanceof UpstreamFailure f && f.transientFailure())
                .withFailureThreshold(r.circuitFailures())
                .withDelay(Duration.ofMillis(r.circuitOpenMs()))
                .withSuccessThreshold(1)
                .onOpen(e -> log.warn("{} circuit breaker open after repeated failures", upstream))
                .onHalfOpen(e -> log.info("{} circuit breaker half-open: probing", upstream))
                .onClose(e -> log.info("{} circuit breaker closed", upstream))
                .build();
        Bulkhead<Outcome> bulkhead = Bulkhead.<Outcome>builder(r.maxConcurrent()).build();
        this.executor = Failsafe.with(retry, breaker, bulkhead).with(new InlineFirstScheduler(timers));
    }

    FailsafeExecutor<Outcome> executor() {
        return executor;
    }

    /** When {@code failure} of attempt {@code attemptsMade} may be retried, and after how long; null: not. */
    Duration retryDelay(UpstreamFailure failure, int attemptsMade, Duration elapsed) {
        return schedule.next(failure, attemptsMade, elapsed);
    }

    CircuitState circuitState() {
        return CircuitState.valueOf(breaker.getState().name());
    }

    /** A refusal by the policies themselves (circuit open, bulkhead full) for the caller, or null when it is not one. */
    ApiException refusal(Throwable cause) {
        if (cause instanceof CircuitBreakerOpenException) {
            return new ApiException(ErrorKind.OVERLOADED, upstream + " upstream unavailable: circuit open after repeated failures",
                    null, breaker.getRemainingDelay(), null);
        }
        if (cause instanceof BulkheadFullException) {
            return new ApiException(ErrorKind.OVERLOADED, upstream + " upstream busy: " + settings.maxConcurrent()
                    + " concurrent calls already", null, BUSY_RETRY_AFTER, null);
        }
        return null;
    }
}
