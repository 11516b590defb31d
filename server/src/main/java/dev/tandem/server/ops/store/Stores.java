package dev.tandem.server.ops.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.server.core.Readiness;
import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.ops.Postgres;
import dev.tandem.server.ops.StoreCalls;
import dev.tandem.server.ops.StoreObserver;
import dev.tandem.server.ops.keys.CachingKeyStore;
import dev.tandem.server.ops.keys.KeyStore;
import dev.tandem.server.ops.keys.PostgresKeyStore;
import dev.tandem.server.ops.keys.SqliteKeyStore;
import dev.tandem.server.ops.ledger.LedgerConfig;
import dev.tandem.server.ops.ledger.PostgresUsageLedger;
import dev.tandem.server.ops.ledger.RetryingUsageLedger;
import dev.tandem.server.ops.ledger.SqliteUsageLedger;
import dev.tandem.server.ops.ledger.UsageLedger;
import dev.tandem.server.ops.limits.InMemoryRateLimits;
import dev.tandem.server.ops.limits.PostgresRateLimits;
import dev.tandem.server.ops.limits.RateLimits;
import dev.tandem.server.ops.responses.PostgresResponseStore;
import dev.tandem.server.ops.responses.ResponsesConfig;
import dev.tandem.server.ops.responses.SqliteResponseStore;
import io.github.bucket4j.TimeMeter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The one place that builds the stores from the configuration: the key store, the ledger, the
 * limits and the Responses API's stored responses, in SQLite and memory ({@code store.kind: sqlite})
 * or in a shared PostgreSQL database ({@code postgres}), behind the same interfaces; and whether the
 * store can be reached, for {@code /ready}. The server and the CLI both open their stores here.
 */
public final class Stores implements AutoCloseable {
    private final StoreConfig config;
    private final LedgerConfig ledgerConfig;
    private final KeyStore keys;
    private final UsageLedger ledger;
    /** null for SQLite. */
    private final HikariDataSource pool;
    private final StoreCalls calls;
    private final String where;
    private RateLimits limits;

    private Stores(StoreConfig config, LedgerConfig ledgerConfig, KeyStore keys, UsageLedger ledger, HikariDataSource pool, StoreCalls calls, String where) {
        this.config = config;
        this.ledgerConfig = ledgerConfig;
        this.keys = config.keyCacheMs() > 0 ? new CachingKeyStore(keys, config.keyCacheTtl()) : keys;
        this.ledger = ledger;
        this.pool = pool;
        this.calls = calls;
        this.where = where;
    }

    /**
     * @param observer told of each call to the shared store (metrics)
     * @throws IllegalStateException when the store cannot be opened (PostgreSQL unreachable or not migratable)
     */
    public static Stores open(StoreConfig store, LedgerConfig ledger, StoreObserver observer) {
        if (store.kind() == StoreKind.SQLITE) {
            Path db = Path.of(ledger.database());
            return new Stores(store, ledger, new SqliteKeyStore(db, ledger.synchronous(), Clock.systemUTC()),
                    new SqliteUsageLedger(db, ledger.synchronous()), null, null, "sqlite " + db);
        }
        HikariDataSource pool = Postgres.open(store.postgres(), "tandem-store");
        StoreCalls calls = new StoreCalls(pool, observer);
        UsageLedger shared = new RetryingUsageLedger(new PostgresUsageLedger(calls), ledger.pendingFile(), ledger.pendingRows());
        return new Stores(store, ledger, new PostgresKeyStore(calls, Clock.systemUTC()), shared, pool, calls,
                "postgres " + store.postgres().url());
    }

    public StoreKind kind() {
        return config.kind();
    }

    /** The keys, behind a cache of {@code store.keyCacheMs} when it is not 0. */
    public KeyStore keys() {
        return keys;
    }

    public UsageLedger ledger() {
        return ledger;
    }

    /** The limits, made on first ask (the CLI never asks): in memory for SQLite, shared for PostgreSQL. */
    public synchronized RateLimits limits() {
        if (limits == null) {
            limits = pool == null ? new InMemoryRateLimits(ledger::spentUsd)
                    : new PostgresRateLimits(calls, TimeMeter.SYSTEM_MILLISECONDS,
                            Duration.ofMillis(config.postgres().leaseTtlMs()), replicaName());
        }
        return limits;
    }

    /**
     * A new store of the Responses API's responses (the caller closes it): in the SQLite file, or in
     * PostgreSQL, where every replica shares them (a response stored through one is found through any).
     */
    public ResponseStore responses(ResponsesConfig responses) {
        if (pool == null) {
            return new SqliteResponseStore(Path.of(ledgerConfig.database()), ledgerConfig.synchronous(), responses, Clock.systemUTC());
        }
        return new PostgresResponseStore(calls, responses, Clock.systemUTC());
    }

    /** Whether the store answers now: always for the SQLite file; a connection checked for PostgreSQL. */
    public Readiness readiness() {
        if (pool == null) {
            return new Readiness(true, "up", where);
        }
        try {
            boolean valid = calls.call("store.ping", c -> c.isValid(1));
            return valid ? new Readiness(true, "up", where) : new Readiness(false, "down", where + ": the connection is not valid");
        } catch (RuntimeException e) {
            return new Readiness(false, "down", where + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (limits != null) {
            limits.close();
        }
        keys.close();
        ledger.close();
        if (pool != null) {
            pool.close();
        }
    }

    private static String replicaName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return host + ":" + ProcessHandle.current().pid();
    }
}
