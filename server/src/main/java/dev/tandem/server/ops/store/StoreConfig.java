package dev.tandem.server.ops.store;

import dev.tandem.server.core.Assert;
import dev.tandem.server.ops.PostgresSettings;
import java.time.Duration;

/**
 * The {@code store:} section (defaults in {@code tandem-defaults.yaml}).
 *
 * @param kind sqlite (the default, one machine) or postgres (replicas sharing one database)
 * @param keyCacheMs how long a replica trusts a key lookup: a key revoked elsewhere is refused by every
 *     replica within this; 0 asks the store on every request
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
