package dev.tandem.server.ops.limits;

import dev.tandem.server.core.Caller;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-key request and token buckets (Bucket4j, refilled greedily over a minute) and a per-key
 * semaphore for concurrent requests. Tokens are only known once a request ends, so they are charged
 * then, possibly into debt; a key in debt is refused until the bucket refills. In memory; a later
 * issue can move the buckets to Redis through Bucket4j's proxy managers.
 */
public final class RateLimits {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final TimeMeter clock;
    private final Map<String, KeyLimits> byKey = new ConcurrentHashMap<>();

    public RateLimits() {
        this(TimeMeter.SYSTEM_NANOTIME);
    }

    public RateLimits(TimeMeter clock) {
        this.clock = clock;
    }

    /** A request in flight; release it exactly once (extra calls do nothing). */
    public interface Permit {
        void release(int tokensUsed);
    }

    /** The result: a permit, or the limit that refused. */
    public sealed interface Admission {
        record Admitted(Permit permit) implements Admission {}

        record Refused(LimitExceeded why) implements Admission {}
    }

    public Admission admit(Caller caller) {
        Caller.Limits limits = caller.limits();
        KeyLimits l = byKey.compute(caller.keyId(), (id, old) -> old != null && old.sameLimits(limits) ? old : new KeyLimits(limits, clock));
        if (l.concurrent != null && !l.concurrent.tryAcquire()) {
            return refused("concurrency", Duration.ofSeconds(1));
        }
        if (l.tpm != null) {
            EstimationProbe p = l.tpm.estimateAbilityToConsume(1);
            if (!p.canBeConsumed()) {
                l.releaseSlot();
                return refused("tpm", Duration.ofNanos(p.getNanosToWaitForRefill()));
            }
        }
        if (l.rpm != null) {
            ConsumptionProbe p = l.rpm.tryConsumeAndReturnRemaining(1);
            if (!p.isConsumed()) {
                l.releaseSlot();
                return refused("rpm", Duration.ofNanos(p.getNanosToWaitForRefill()));
            }
        }
        AtomicBoolean released = new AtomicBoolean();
        return new Admission.Admitted(tokens -> {
            if (released.compareAndSet(false, true)) {
                if (l.tpm != null && tokens > 0) {
                    l.tpm.consumeIgnoringRateLimits(tokens);
                }
                l.releaseSlot();
            }
        });
    }

    private static Admission refused(String limit, Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new Admission.Refused(new LimitExceeded(limit, Duration.ofSeconds(seconds)));
    }

    /** One key's buckets, rebuilt when the key's limits change. */
    private static final class KeyLimits {
        final Integer rpmLimit;
        final Integer tpmLimit;
        final Integer concurrentLimit;
        final Bucket rpm;
        final Bucket tpm;
        final Semaphore concurrent;

        KeyLimits(Caller.Limits key, TimeMeter clock) {
            rpmLimit = key.rpm();
            tpmLimit = key.tpm();
            concurrentLimit = key.maxConcurrent();
            rpm = rpmLimit == null ? null : bucket(rpmLimit, clock);
            tpm = tpmLimit == null ? null : bucket(tpmLimit, clock);
            concurrent = concurrentLimit == null ? null : new Semaphore(concurrentLimit);
        }

        boolean sameLimits(Caller.Limits key) {
            return Objects.equals(rpmLimit, key.rpm()) && Objects.equals(tpmLimit, key.tpm())
                    && Objects.equals(concurrentLimit, key.maxConcurrent());
        }

        void releaseSlot() {
            if (concurrent != null) {
                concurrent.release();
            }
        }

        private static Bucket bucket(int perMinute, TimeMeter clock) {
            return Bucket.builder()
                    .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, MINUTE).build())
                    .withCustomTimePrecision(clock)
                    .build();
        }
    }
}
