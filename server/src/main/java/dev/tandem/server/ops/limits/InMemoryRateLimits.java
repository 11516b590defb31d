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
import java.util.function.ToDoubleFunction;

/**
 * The limits of one replica, in process memory: per-key request and token buckets (Bucket4j, refilled
 * greedily over a minute) and a per-key semaphore for concurrent requests; the budget against what
 * the ledger says the key has spent.
 */
public final class InMemoryRateLimits implements RateLimits {
    private final TimeMeter clock;
    private final ToDoubleFunction<String> spentUsd;
    private final Map<String, KeyLimits> byKey = new ConcurrentHashMap<>();

    /** @param spentUsd what a key (by id) has spent so far: the ledger's figure */
    public InMemoryRateLimits(ToDoubleFunction<String> spentUsd) {
        this(TimeMeter.SYSTEM_NANOTIME, spentUsd);
    }

    public InMemoryRateLimits(TimeMeter clock, ToDoubleFunction<String> spentUsd) {
        this.clock = clock;
        this.spentUsd = spentUsd;
    }

    @Override
    public Admission admit(Caller caller, boolean budgeted) {
        Caller.Limits limits = caller.limits();
        boolean budgetSpent = budgeted && limits.budgetUsd() != null && spentUsd.applyAsDouble(caller.keyId()) >= limits.budgetUsd();
        if (budgetSpent && RateLimits.budgetRefuses(caller)) {
            return Admission.refused(BUDGET, Duration.ZERO);
        }
        KeyLimits l = byKey.compute(caller.keyId(), (id, old) -> old != null && old.sameLimits(limits) ? old : new KeyLimits(limits, clock));
        if (l.concurrent != null && !l.concurrent.tryAcquire()) {
            return Admission.refused("concurrency", Duration.ofSeconds(1));
        }
        if (l.tpm != null) {
            EstimationProbe p = l.tpm.estimateAbilityToConsume(1);
            if (!p.canBeConsumed()) {
                l.releaseSlot();
                return Admission.refused("tpm", Duration.ofNanos(p.getNanosToWaitForRefill()));
            }
        }
        if (l.rpm != null) {
            ConsumptionProbe p = l.rpm.tryConsumeAndReturnRemaining(1);
            if (!p.isConsumed()) {
                l.releaseSlot();
                return Admission.refused("rpm", Duration.ofNanos(p.getNanosToWaitForRefill()));
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
        }, budgetSpent);
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
