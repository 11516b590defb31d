package dev.tandem.server.ops.limits;

import dev.tandem.server.core.Caller;
import java.time.Duration;

/**
 * Per-key request, token and concurrency limits, and the remote-spend budget: a request is admitted
 * with a permit, released once it ends with the tokens it used (charged then, possibly into debt; a
 * key in debt is refused until its bucket refills), or refused with the limit and a Retry-After. In
 * process memory for one replica ({@link InMemoryRateLimits}), or in the shared store so that N
 * replicas together admit what one would ({@link PostgresRateLimits}: one call to admit, one to
 * release).
 */
public interface RateLimits extends AutoCloseable {

    /** Requests per minute and tokens per minute refill greedily over this. */
    Duration MINUTE = Duration.ofMinutes(1);

    /** The refusal of a key whose budget is spent while its policy allows no local model. */
    String BUDGET = "budget";

    /** Whether a key whose budget is spent is refused outright: its policy allows no local model. */
    static boolean budgetRefuses(Caller caller) {
        return caller.policy() != null && !caller.policy().allowsLocal();
    }

    /**
     * Admits one request of {@code caller}'s key, checking in this order: the budget when
     * {@code budgeted} (a generation; token counting spends none), concurrency, tokens, requests.
     * A key whose budget is spent is refused ("budget") when its policy allows no local model, else
     * admitted with {@code budgetSpent} (the gate keeps it to the local model, which costs nothing).
     *
     * @throws dev.tandem.server.ops.StoreUnavailableException when the shared store cannot be asked:
     *     the request is refused (503), never admitted unchecked
     */
    Admission admit(Caller caller, boolean budgeted);

    @Override
    default void close() {}

    /** A request in flight; release it exactly once (extra calls do nothing). */
    interface Permit {
        void release(int tokensUsed);
    }

    /** The result: a permit, or the limit that refused. */
    sealed interface Admission {
        /** @param budgetSpent the key's budget is spent: remote models are closed to this request */
        record Admitted(Permit permit, boolean budgetSpent) implements Admission {}

        record Refused(LimitExceeded why) implements Admission {}

        /** Refused by {@code limit} ("rpm", "tpm", "concurrency", "budget"); Retry-After in whole seconds, at least one. */
        static Admission refused(String limit, Duration wait) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            return new Refused(new LimitExceeded(limit, Duration.ofSeconds(seconds)));
        }
    }
}
