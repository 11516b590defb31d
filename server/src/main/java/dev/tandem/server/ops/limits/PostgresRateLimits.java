package dev.tandem.server.ops.limits;

import dev.tandem.server.core.Caller;
import dev.tandem.server.ops.StoreCalls;
import io.github.bucket4j.TimeMeter;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
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
 * Limits held in the shared PostgreSQL store, so that N replicas together admit what one would: one
 * call to admit a request ({@code tandem_admit}), one to settle it ({@code tandem_settle}), both
 * PL/pgSQL functions of migration V4.
 *
 * <ul>
 *   <li>rpm and tpm: token buckets as columns of the key's row in {@code key_buckets}, refilled greedily
 *       over a minute as in {@link InMemoryRateLimits} (same retry-after, same token debt). The row is
 *       locked for the length of one call on the server, never across client round trips (Bucket4j's
 *       PostgreSQL proxy held it over SELECT FOR UPDATE, UPDATE and COMMIT: with one busy key every
 *       request queued on it). Time is each replica's clock (keep them in sync with NTP); a replica
 *       behind the others refills nothing twice.
 *   <li>concurrency: a lease per request in flight in {@code concurrency_leases}, counted and taken
 *       under the same row lock. The replica renews the leases it holds every third of
 *       {@code leaseTtl}; those of a replica that died stop being renewed and free their slots after
 *       at most {@code leaseTtl}.
 *   <li>budget: the key's spend ({@code key_spend}, kept by the ledger) read in the same call.
 * </ul>
 *
 * Admission fails closed: when the store cannot be asked, {@link #admit} throws the store's 503.
 * Settling never fails a request that was answered: a token charge or a lease release that cannot
 * reach the store is logged, and the lease expires.
 */
public final class PostgresRateLimits implements RateLimits {
    private static final Logger log = LoggerFactory.getLogger(PostgresRateLimits.class);
    private static final String ADMIT = "SELECT refused, retry_ms, budget_spent FROM tandem_admit(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String SETTLE = "SELECT tandem_settle(?, ?, ?, ?, ?)";

    private final StoreCalls calls;
    private final TimeMeter clock;
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
        this.clock = clock;
        this.leaseTtl = leaseTtl;
        this.replica = replica;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-lease-renewer");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, leaseTtl.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewAndSweep, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public Admission admit(Caller caller, boolean budgeted) {
        Caller.Limits limits = caller.limits();
        Double budget = budgeted ? limits.budgetUsd() : null;
        if (budget == null && limits.rpm() == null && limits.tpm() == null && limits.maxConcurrent() == null) {
            return new Admission.Admitted(tokens -> {}, false);
        }
        String lease = limits.maxConcurrent() == null ? null : UUID.randomUUID().toString();
        if (lease != null) {
            held.add(lease); // before the call: a lease taken is renewed even if this thread is slow to see it
        }
        Verdict v;
        try {
            v = calls.call("limits.admit", c -> {
                try (PreparedStatement p = c.prepareStatement(ADMIT)) {
                    p.setString(1, caller.keyId());
                    p.setLong(2, nowMs());
                    setInt(p, 3, limits.rpm());
                    setInt(p, 4, limits.tpm());
                    setInt(p, 5, limits.maxConcurrent());
                    p.setString(6, lease);
                    p.setString(7, replica);
                    p.setLong(8, leaseTtl.toMillis());
                    if (budget == null) {
                        p.setNull(9, Types.DOUBLE);
                    } else {
                        p.setDouble(9, budget);
                    }
                    p.setBoolean(10, RateLimits.budgetRefuses(caller));
                    try (ResultSet r = p.executeQuery()) {
                        r.next();
                        return new Verdict(r.getString(1), r.getLong(2), r.getBoolean(3));
                    }
                }
            });
        } catch (RuntimeException e) {
            forget(lease);
            throw e;
        }
        if (v.refused() != null) {
            forget(lease);
            return Admission.refused(v.refused(), Duration.ofMillis(v.retryMs()));
        }
        AtomicBoolean released = new AtomicBoolean();
        return new Admission.Admitted(tokens -> {
            if (released.compareAndSet(false, true)) {
                settle(caller, lease, tokens);
            }
        }, v.budgetSpent());
    }

    /** What {@code tandem_admit} answered: refused null when admitted. */
    private record Verdict(String refused, long retryMs, boolean budgetSpent) {}

    /** Gives the lease back and charges the tokens, in one call; when the store cannot be reached, the lease expires. */
    private void settle(Caller caller, String lease, int tokens) {
        Integer tpm = caller.limits().tpm();
        forget(lease); // not renewed from now on: if the call fails, it expires
        if (lease == null && (tpm == null || tokens <= 0)) {
            return;
        }
        try {
            calls.call("limits.settle", c -> {
                try (PreparedStatement p = c.prepareStatement(SETTLE)) {
                    p.setString(1, caller.keyId());
                    p.setString(2, lease);
                    p.setLong(3, nowMs());
                    setInt(p, 4, tpm);
                    p.setLong(5, tokens);
                    p.executeQuery().close();
                    return null;
                }
            });
        } catch (RuntimeException e) {
            log.warn("could not settle a request of key {} ({} tokens; its lease, if any, expires within {} ms): {}",
                    caller.keyId(), tokens, leaseTtl.toMillis(), e.getMessage());
        }
    }

    private void forget(String lease) {
        if (lease != null) {
            held.remove(lease);
        }
    }

    private long nowMs() {
        return clock.currentTimeNanos() / 1_000_000L;
    }

    private static void setInt(PreparedStatement p, int index, Integer value) throws java.sql.SQLException {
        if (value == null) {
            p.setNull(index, Types.INTEGER);
        } else {
            p.setInt(index, value);
        }
    }

    /** Keeps this replica's leases alive; sweeps expired leases and full buckets left by anyone. */
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
                try (PreparedStatement p = c.prepareStatement("SELECT tandem_sweep_buckets(?)")) {
                    p.setLong(1, nowMs());
                    p.executeQuery().close();
                }
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("could not renew concurrency leases: {}", e.getMessage());
        }
    }

    /** Stops renewing; the leases still held are given back (best effort: else they expire). */
    @Override
    public void close() {
        renewer.shutdownNow();
        String[] leases = held.toArray(String[]::new);
        held.clear();
        if (leases.length == 0) {
            return;
        }
        try {
            calls.call("limits.release", c -> {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM concurrency_leases WHERE id = ANY (?)")) {
                    p.setArray(1, c.createArrayOf("text", leases));
                    return p.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            log.warn("could not give back {} concurrency leases (they expire within {} ms): {}", leases.length, leaseTtl.toMillis(),
                    e.getMessage());
        }
    }
}
