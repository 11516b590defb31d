package dev.tandem.server.ops.limits;

import dev.tandem.server.core.Caller;
import dev.tandem.server.ops.StoreCalls;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits held in the shared PostgreSQL store, so that N replicas together admit what one would.
 *
 * <ul>
 *   <li>rpm and tpm: Bucket4j buckets in {@code rate_buckets}, through its PostgreSQL proxy manager
 *       (each operation one transaction with {@code SELECT ... FOR UPDATE} on the key's row). Same
 *       buckets, same greedy refill and token debt as {@link InMemoryRateLimits}; time is each
 *       replica's clock (keep them in sync with NTP: a skew shifts refills by that much).
 *   <li>concurrency: a lease per request in flight in {@code concurrency_leases}, taken by
 *       {@code tandem_acquire_lease} (count and insert under a per-key advisory lock, one round trip).
 *       The replica renews the leases it holds every third of {@code leaseTtl}; those of a replica that
 *       died stop being renewed and free their slots after at most {@code leaseTtl}.
 * </ul>
 *
 * Admission fails closed: when the store cannot be asked, {@link #admit} throws the store's 503.
 * Releasing never fails a request that was answered: a token charge or a lease release that cannot
 * reach the store is logged, and the lease expires.
 */
public final class PostgresRateLimits implements RateLimits {
    private static final Logger log = LoggerFactory.getLogger(PostgresRateLimits.class);

    private final StoreCalls calls;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final Duration leaseTtl;
    private final String replica;
    /** The leases this replica holds now: the ones it renews. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer;

    /**
     * @param clock the buckets' time (wall-clock based in service; tests move one by hand)
     * @param replica this replica's name, kept with its leases (for an operator reading the table)
     */
    public PostgresRateLimits(StoreCalls calls, TimeMeter clock, Duration leaseTtl, String replica) {
        this.calls = calls;
        this.leaseTtl = leaseTtl;
        this.replica = replica;
        var builder = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(calls.dataSource())
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_buckets").idColumn("id").stateColumn("state").expiresAtColumn("expires_at")
                .clientClock(clock);
        if (clock.isWallClockBased()) {
            // a row may go once its bucket would be full again: a new one is the same bucket
            builder.expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)));
        }
        this.buckets = builder.build();
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-lease-renewer");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, leaseTtl.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewAndSweep, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public Admission admit(Caller caller) {
        Caller.Limits limits = caller.limits();
        String lease = null;
        if (limits.maxConcurrent() != null) {
            lease = acquireLease(caller.keyId(), limits.maxConcurrent());
            if (lease == null) {
                return Admission.refused("concurrency", Duration.ofSeconds(1));
            }
        }
        BucketProxy tpm = limits.tpm() == null ? null : bucket(caller.keyId(), "tpm", limits.tpm());
        try {
            if (tpm != null) {
                EstimationProbe p = calls.timed("limits.tpm", () -> tpm.estimateAbilityToConsume(1));
                if (!p.canBeConsumed()) {
                    releaseLease(lease);
                    return Admission.refused("tpm", Duration.ofNanos(p.getNanosToWaitForRefill()));
                }
            }
            if (limits.rpm() != null) {
                BucketProxy rpm = bucket(caller.keyId(), "rpm", limits.rpm());
                ConsumptionProbe p = calls.timed("limits.rpm", () -> rpm.tryConsumeAndReturnRemaining(1));
                if (!p.isConsumed()) {
                    releaseLease(lease);
                    return Admission.refused("rpm", Duration.ofNanos(p.getNanosToWaitForRefill()));
                }
            }
        } catch (RuntimeException e) {
            releaseLease(lease);
            throw e;
        }
        String admitted = lease;
        AtomicBoolean released = new AtomicBoolean();
        return new Admission.Admitted(tokens -> {
            if (released.compareAndSet(false, true)) {
                if (tpm != null && tokens > 0) {
                    try {
                        calls.timed("limits.tpm", () -> {
                            tpm.consumeIgnoringRateLimits(tokens);
                            return null;
                        });
                    } catch (RuntimeException e) {
                        log.warn("could not charge {} tokens to key {}: {}", tokens, caller.keyId(), e.getMessage());
                    }
                }
                releaseLease(admitted);
            }
        });
    }

    /** A bucket per key, kind and limit: a changed limit starts a fresh bucket, as in memory. */
    private BucketProxy bucket(String keyId, String kind, int perMinute) {
        BucketConfiguration config = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, MINUTE).build())
                .build();
        return buckets.getProxy(keyId + ":" + kind + ":" + perMinute, () -> config);
    }

    /** A new lease on a slot of {@code keyId}, or null when all {@code max} are held. */
    private String acquireLease(String keyId, int max) {
        String lease = UUID.randomUUID().toString();
        boolean taken = calls.call("limits.lease", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT tandem_acquire_lease(?, ?, ?, ?, ?)")) {
                p.setString(1, lease);
                p.setString(2, keyId);
                p.setString(3, replica);
                p.setInt(4, max);
                p.setLong(5, leaseTtl.toMillis());
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getBoolean(1);
                }
            }
        });
        if (!taken) {
            return null;
        }
        held.add(lease);
        return lease;
    }

    private void releaseLease(String lease) {
        if (lease == null) {
            return;
        }
        held.remove(lease); // not renewed from now on: if the delete fails, it expires
        try {
            calls.call("limits.release", c -> {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM concurrency_leases WHERE id = ?")) {
                    p.setString(1, lease);
                    return p.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            log.warn("could not release a concurrency lease (it expires within {} ms): {}", leaseTtl.toMillis(), e.getMessage());
        }
    }

    /** Keeps this replica's leases alive; sweeps expired leases and buckets left by anyone. */
    private void renewAndSweep() {
        try {
            String[] ids = held.toArray(String[]::new);
            calls.call("limits.renew", c -> {
                if (ids.length > 0) {
                    try (PreparedStatement p = c.prepareStatement("UPDATE concurrency_leases"
                            + " SET expires_at = clock_timestamp() + ? * INTERVAL '1 millisecond' WHERE id = ANY (?)")) {
                        p.setLong(1, leaseTtl.toMillis());
                        p.setArray(2, c.createArrayOf("text", ids));
                        p.executeUpdate();
                    }
                }
                try (PreparedStatement p = c.prepareStatement("DELETE FROM concurrency_leases WHERE expires_at < clock_timestamp()")) {
                    p.executeUpdate();
                }
                return null;
            });
            calls.timed("limits.sweep", () -> buckets.removeExpired(1000));
        } catch (RuntimeException e) {
            log.warn("could not renew concurrency leases: {}", e.getMessage());
        }
    }

    /** Stops renewing; the leases still held are given back (best effort: else they expire). */
    @Override
    public void close() {
        renewer.shutdownNow();
        for (String lease : held.toArray(String[]::new)) {
            releaseLease(lease);
        }
    }
}
