package dev.tandem.server.ops.store;

import dev.tandem.server.core.Assert;
import dev.tandem.server.ops.PostgresSettings;
import java.time.Duration;

/**
 * The {@code store:} section (defaults in {@code tandem-defaults.yaml}).
 *
 * @param kind sqlite (the default, one machine) or postgres (replicas sharing one database)
 * @param keyCacheMs how long a replica remembers which key a secret belongs to (the gate re-reads the
 *     key by id on every request, so a revocation counts at once everywhere); 0: no cache
 * @param postgres how to reach PostgreSQL (read only when {@code kind} is postgres)
 */
public record StoreConfig(StoreKind kind, long keyCacheMs, PostgresSettings postgres) {

    public StoreConfig {
        Assert.notNull(kind, "store.kind");
        Assert.isTrue(keyCacheMs >= 0, "store.keyCacheMs must be >= 0");
        Assert.notNull(postgres, "store.postgres");
    }

    public Duration keyCacheTtl() {
        return Duration.ofMillis(keyCacheMs);
    }
}
