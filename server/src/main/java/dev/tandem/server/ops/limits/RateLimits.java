package dev.tandem.server.ops.limits;

import dev.tandem.server.core.Caller;
import java.time.Duration;

/**
 * Per-key request, token and concurrency limits: a request is admitted with a permit, released once
 * it ends with the tokens it used (charged then, possibly into debt; a key in debt is refused until
 * its bucket refills), or refused with the limit and a Retry-After. In process memory for one replica
 * ({@link InMemoryRateLimits}), or in the shared store so that N replicas together admit what one
 * would ({@link PostgresRateLimits}).
 */
public interface RateLimits extends AutoCloseable {

    /** Requests per minute and tokens per minute refill greedily over this. */
    Duration MINUTE = Duration.ofMinutes(1);

    /**
     * @throws dev.tandem.server.ops.StoreUnavailableException when the shared store cannot be asked:
     *     the request is refused (503), never admitted unchecked
     */
    Admission admit(Caller caller);

    @Override
    default void close() {}

    /** A request in flight; release it exactly once (extra calls do nothing). */
    interface Permit {
        void release(int tokensUsed);
    }

    /** The result: a permit, or the limit that refused. */
    sealed interface Admission {
        record Admitted(Permit permit) implements Admission {}

        record Refused(LimitExceeded why) implements Admission {}

        /** Refused by {@code limit} ("rpm", "tpm", "concurrency"); Retry-After in whole seconds, at least one. */
        static Admission refused(String limit, Duration wait) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            return new Refused(new LimitExceeded(limit, Duration.ofSeconds(seconds)));
        }
    }
}
