package dev.tandem.server.ops.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.server.core.Caller;
import dev.tandem.server.fakes.TestPostgres;
import dev.tandem.server.ops.Postgres;
import dev.tandem.server.ops.StoreCalls;
import dev.tandem.server.ops.StoreObserver;
import dev.tandem.server.ops.StoreUnavailableException;
import dev.tandem.testkit.LocalPostgres;
import io.github.bucket4j.TimeMeter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The limits contract on a real PostgreSQL server, and what sharing it across replicas adds. */
class PostgresRateLimitsTest extends RateLimitsContract {
    private final List<AutoCloseable> opened = new ArrayList<>();
    private String url;

    @BeforeEach
    void freshDatabase() {
        url = TestPostgres.server().createDatabase("limits");
    }

    @Override
    RateLimits limits(TimeMeter clock) {
        return replica(clock, Duration.ofSeconds(30), "replica-" + opened.size()).limits();
    }

    @Override
    void spent(String keyId, double usd) {
        try (Connection c = DriverManager.getConnection(url, LocalPostgres.USER, "");
                PreparedStatement p = c.prepareStatement("INSERT INTO key_spend (key_id, spent_usd) VALUES (?, ?)"
                        + " ON CONFLICT (key_id) DO UPDATE SET spent_usd = EXCLUDED.spent_usd")) {
            p.setString(1, keyId);
            p.setDouble(2, usd);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One replica's limits and its own pool on the shared database. */
    private record Replica(HikariDataSource pool, RateLimits limits) {}

    private Replica replica(TimeMeter clock, Duration leaseTtl, String name) {
        HikariDataSource pool = Postgres.open(TestPostgres.settings(url, leaseTtl.toMillis()), name);
        PostgresRateLimits limits = new PostgresRateLimits(new StoreCalls(pool, StoreObserver.NONE), clock, leaseTtl, name);
        opened.add(pool);
        opened.add(limits);
        return new Replica(pool, limits);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void threeReplicasTogetherAdmitWhatOneWould() {
        // Given three replicas sharing the database, and a key with 10 requests a minute and 2 at once
        ManualTime time = new ManualTime();
        List<RateLimits> replicas = List.of(limits(time), limits(time), limits(time));
        Caller k = key(10, null, 2);
        // When 30 requests come round-robin, each released before the next
        int admitted = 0;
        for (int i = 0; i < 30; i++) {
            if (replicas.get(i % 3).admit(k, false) instanceof RateLimits.Admission.Admitted a) {
                admitted++;
                a.permit().release(0);
            }
        }
        // Then exactly 10 pass, as on one replica
        assertThat(admitted).isEqualTo(10);

        // and two slots held on two replicas fill the key's concurrency for the third
        time.advance(Duration.ofMinutes(1));
        RateLimits.Permit one = ((RateLimits.Admission.Admitted) replicas.get(0).admit(k, false)).permit();
        RateLimits.Permit two = ((RateLimits.Admission.Admitted) replicas.get(1).admit(k, false)).permit();
        assertThat(((RateLimits.Admission.Refused) replicas.get(2).admit(k, false)).why().limit()).isEqualTo("concurrency");
        one.release(0);
        assertThat(replicas.get(2).admit(k, false)).isInstanceOf(RateLimits.Admission.Admitted.class);
        two.release(0);
    }

    @Test
    void tokensChargedOnOneReplicaRefuseOnAnother() {
        ManualTime time = new ManualTime();
        RateLimits a = limits(time);
        RateLimits b = limits(time);
        Caller k = key(null, 600, null);
        ((RateLimits.Admission.Admitted) a.admit(k, false)).permit().release(1200);
        assertThat(((RateLimits.Admission.Refused) b.admit(k, false)).why().limit()).isEqualTo("tpm");
    }

    @Test
    void tokensAreChargedEvenWhenTheKeysFullBucketWasSweptWhileTheRequestRan() throws Exception {
        // Given a request admitted with a full token bucket (an estimate takes nothing)
        ManualTime time = new ManualTime();
        RateLimits limits = limits(time);
        Caller k = key(null, 600, null);
        RateLimits.Permit running = ((RateLimits.Admission.Admitted) limits.admit(k, false)).permit();
        // and the key's row swept meanwhile, as any replica's sweeper does with full buckets
        try (Connection c = DriverManager.getConnection(url, LocalPostgres.USER, "");
                PreparedStatement p = c.prepareStatement("SELECT tandem_sweep_buckets(?)")) {
            p.setLong(1, time.currentTimeNanos() / 1_000_000L);
            try (var r = p.executeQuery()) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(1);
            }
        }

        // When it ends having used 1200 tokens
        running.release(1200);

        // Then the key is in debt all the same
        assertThat(((RateLimits.Admission.Refused) limits.admit(k, false)).why().limit()).isEqualTo("tpm");
    }

    @Test
    void theSlotsOfAReplicaThatDiedAreFreedWhenItsLeasesExpire() throws Exception {
        // Given a replica holding the key's only slot, with leases of 9 s (renewed every 3 s: a renewal may come
        // 6 s late on a loaded machine before the lease lapses)
        Caller k = key(null, null, 1);
        Replica dying = replica(TimeMeter.SYSTEM_MILLISECONDS, Duration.ofSeconds(9), "dying");
        RateLimits survivor = replica(TimeMeter.SYSTEM_MILLISECONDS, Duration.ofSeconds(9), "survivor").limits();
        assertThat(dying.limits().admit(k, false)).isInstanceOf(RateLimits.Admission.Admitted.class);
        // while it lives it renews the lease: the slot stays taken past the TTL
        long renewedUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(11);
        while (System.nanoTime() < renewedUntil) {
            assertThat(survivor.admit(k, false)).isInstanceOf(RateLimits.Admission.Refused.class);
            Thread.sleep(500);
        }

        // When it loses the store and stops, so nothing is given back and nothing renewed
        dying.pool().close();
        dying.limits().close();

        // Then the survivor gets the slot once the lease has expired (within a generous bound)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        RateLimits.Admission got = survivor.admit(k, false);
        while (got instanceof RateLimits.Admission.Refused && System.nanoTime() < deadline) {
            Thread.sleep(100);
            got = survivor.admit(k, false);
        }
        assertThat(got).isInstanceOf(RateLimits.Admission.Admitted.class);
    }

    @Test
    void aStoreThatCannotBeReachedRefusesEveryLimitWith503() throws Exception {
        // Given limits whose database does not answer (nothing listens on the port)
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none");
        nowhere.setConnectTimeout(2);
        PostgresRateLimits away = new PostgresRateLimits(new StoreCalls(nowhere, StoreObserver.NONE), TimeMeter.SYSTEM_MILLISECONDS,
                Duration.ofSeconds(30), "away");
        opened.add(away);
        // Then each limit, whichever library asks the store, refuses: never admits unchecked
        for (Caller k : List.of(key(10, null, null), key(null, 1000, null), key(null, null, 2))) {
            assertThatThrownBy(() -> away.admit(k, false))
                    .isInstanceOfSatisfying(StoreUnavailableException.class,
                            e -> assertThat(e.kind().status()).isEqualTo(503));
        }
    }
}
