package dev.tandem.server.ops.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.server.fakes.TestPostgres;
import dev.tandem.server.ops.Postgres;
import dev.tandem.server.ops.StoreCalls;
import dev.tandem.server.ops.StoreObserver;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ledger contract on a real PostgreSQL server, and what sharing it across replicas adds. */
class PostgresUsageLedgerTest extends UsageLedgerContract {
    private final List<HikariDataSource> pools = new ArrayList<>();
    private String url;

    @Override
    UsageLedger open(Path dir) {
        url = TestPostgres.server().createDatabase("ledger");
        return new PostgresUsageLedger(new StoreCalls(pool(), StoreObserver.NONE));
    }

    private HikariDataSource pool() {
        HikariDataSource pool = Postgres.open(TestPostgres.settings(url, 30_000), "test");
        pools.add(pool);
        return pool;
    }

    @AfterEach
    void closePools() {
        pools.forEach(HikariDataSource::close);
    }

    @Test
    void replicasWritingAtOnceSeeOneSpendPerKey() throws Exception {
        // Given two replicas' ledgers on one database, each writing 50 priced rows of $0.01 at once
        UsageLedger other = new PostgresUsageLedger(new StoreCalls(pool(), StoreObserver.NONE));
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (UsageLedger replica : List.of(ledger, other)) {
            for (int t = 0; t < 2; t++) {
                int thread = t;
                done.add(writers.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        replica.record(UsageRecord.builder(Instant.now(), replica.hashCode() + "-" + thread + "-" + i)
                                .withKeyId("key_shared").withDialect("openai").withModel("claude-x")
                                .withBackend("anthropic", "primary").withTokens(1, 1).withTimes(null, 1).withCostUsd(0.01).build());
                    }
                }));
            }
        }
        for (Future<?> f : done) {
            f.get();
        }
        writers.shutdown();
        // Then both see every row and the same spend, to the cent
        assertThat(ledger.rows(null, null, 1000)).hasSize(100);
        assertThat(other.spentUsd("key_shared")).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(ledger.spentUsd("key_shared")).isEqualTo(other.spentUsd("key_shared"));
        assertThat(ledger.spentUsd("key_never")).isZero();
    }
}
