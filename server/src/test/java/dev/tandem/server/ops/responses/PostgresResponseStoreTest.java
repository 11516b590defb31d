package dev.tandem.server.ops.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.fakes.TestPostgres;
import dev.tandem.server.ops.Postgres;
import dev.tandem.server.ops.StoreCalls;
import dev.tandem.server.ops.StoreObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The response store contract on a real PostgreSQL server (a fresh database per test), and what sharing it across replicas adds. */
class PostgresResponseStoreTest extends ResponseStoreContract {
    private final List<HikariDataSource> pools = new ArrayList<>();
    private String url;

    @BeforeEach
    void freshDatabase() {
        url = TestPostgres.server().createDatabase("responses");
    }

    @AfterEach
    void closePools() {
        pools.forEach(HikariDataSource::close);
    }

    /** A replica's store: its own pool on the test's database. */
    @Override
    ResponseStore open(ResponsesConfig config, Clock clock) {
        HikariDataSource pool = Postgres.open(TestPostgres.settings(url, 30_000), "test");
        pools.add(pool);
        return new PostgresResponseStore(new StoreCalls(pool, StoreObserver.NONE), config, clock);
    }

    @Override
    int size(ResponseStore store) {
        return ((PostgresResponseStore) store).size();
    }

    @Test
    void aResponseStoredThroughOneReplicaIsFoundAndDeletedThroughAnother() {
        try (ResponseStore one = open(100, 24); ResponseStore other = open(100, 24)) {
            one.put(response("resp_1", "key-a"));

            assertThat(other.get("key-a", "resp_1")).contains(response("resp_1", "key-a"));
            assertThat(other.item("key-a", "msg_out_resp_1")).isPresent();
            assertThat(other.delete("key-a", "resp_1")).isTrue();
            assertThat(one.get("key-a", "resp_1")).isEmpty();
        }
    }

    @Test
    void replicasPuttingAtOnceKeepTheCountBound() throws Exception {
        // Given three replicas' stores that keep 10, each putting 99 responses from three threads at once (without the
        // prune lock, two prunes that see only committed rows leave one too many)
        List<ResponseStore> replicas = List.of(open(10, 24), open(10, 24), open(10, 24));
        ExecutorService writers = Executors.newFixedThreadPool(9);
        List<Future<?>> done = new ArrayList<>();
        for (ResponseStore replica : replicas) {
            for (int t = 0; t < 3; t++) {
                String prefix = "resp_" + System.identityHashCode(replica) + "_" + t + "_";
                done.add(writers.submit(() -> {
                    for (int i = 0; i < 33; i++) {
                        replica.put(response(prefix + i, "key-a"));
                    }
                }));
            }
        }
        for (Future<?> f : done) {
            f.get();
        }
        writers.shutdown();

        // Then every put committed and exactly the bound is kept, with no item left of the pruned ones
        assertThat(size(replicas.get(0))).isEqualTo(10);
        try (var c = pools.get(0).getConnection(); var s = c.createStatement();
                var r = s.executeQuery("SELECT COUNT(DISTINCT response_id), COUNT(*) FROM response_items")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(10);
            assertThat(r.getInt(2)).isEqualTo(30);
        }
    }
}
