package dev.tandem.server.fakes;

import dev.tandem.server.ops.PostgresSettings;
import dev.tandem.testkit.LocalPostgres;

/**
 * One real PostgreSQL server per test JVM (started on first use, stopped at exit), and a fresh
 * database on it for each test class that asks: tests of the shared store never see each other's rows.
 */
public final class TestPostgres {
    private static LocalPostgres server;

    private TestPostgres() {}

    public static synchronized LocalPostgres server() {
        if (server == null) {
            server = LocalPostgres.start();
        }
        return server;
    }

    /** Settings for a new, empty database (named after {@code prefix}); lease TTL as given. */
    public static PostgresSettings freshDatabase(String prefix, long leaseTtlMs) {
        return settings(server().createDatabase(prefix), leaseTtlMs);
    }

    public static PostgresSettings freshDatabase(String prefix) {
        return freshDatabase(prefix, 30_000);
    }

    /** Settings for {@code url} on a test server: a small pool, timeouts short enough for a test to see a store go away. */
    public static PostgresSettings settings(String url, long leaseTtlMs) {
        return new PostgresSettings(url, LocalPostgres.USER, "", 8, 1000, 5000, leaseTtlMs);
    }
}
