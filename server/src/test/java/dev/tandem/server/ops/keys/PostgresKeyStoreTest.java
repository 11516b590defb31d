package dev.tandem.server.ops.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.server.fakes.TestPostgres;
import dev.tandem.server.ops.Postgres;
import dev.tandem.server.ops.StoreCalls;
import dev.tandem.server.ops.StoreObserver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The key store contract on a real PostgreSQL server, and what sharing it across replicas adds. */
class PostgresKeyStoreTest extends KeyStoreContract {
    private HikariDataSource pool;
    private HikariDataSource otherPool;
    private String url;

    @Override
    KeyStore open(Path dir) {
        url = TestPostgres.server().createDatabase("keys");
        pool = Postgres.open(TestPostgres.settings(url, 30_000), "test");
        return new PostgresKeyStore(new StoreCalls(pool, StoreObserver.NONE), Clock.systemUTC());
    }

    @AfterEach
    void closePools() {
        pool.close();
        if (otherPool != null) {
            otherPool.close();
        }
    }

    @Test
    void aKeyMadeByOneReplicaIsKnownAndRevokedForAnother() {
        otherPool = Postgres.open(TestPostgres.settings(url, 30_000), "other");
        KeyStore other = new PostgresKeyStore(new StoreCalls(otherPool, StoreObserver.NONE), Clock.systemUTC());
        CreatedKey created = store.create(KeySpec.builder("shared").withRpm(10).build());

        assertThat(other.findBySecret(created.secret())).contains(created.key());
        assertThat(other.revoke(created.key().id())).isTrue();
        assertThat(store.findById(created.key().id()).orElseThrow().isRevoked()).isTrue();
    }

    @Test
    void theSecretIsStoredOnlyAsAHash() throws Exception {
        CreatedKey created = store.create(KeySpec.builder("ci").build());
        StringBuilder everything = new StringBuilder();
        try (Connection c = pool.getConnection();
                ResultSet r = c.createStatement().executeQuery("SELECT t::text FROM api_keys t")) {
            while (r.next()) {
                everything.append(r.getString(1));
            }
        }
        assertThat(everything.toString()).doesNotContain(created.secret()).doesNotContain(created.secret().substring(4, 24))
                .contains(Secrets.hash(created.secret()));
    }
}
