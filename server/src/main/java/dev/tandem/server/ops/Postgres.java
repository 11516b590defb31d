package dev.tandem.server.ops;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Opens the shared PostgreSQL store: a HikariCP pool, and the schema brought up to date by Flyway
 * (migrations in {@code db/postgres/} on the classpath). Every replica migrates at start; Flyway holds
 * a lock in the database meanwhile, so replicas starting together apply each migration once.
 *
 * <p>The pool gives up on a connection after {@code connectTimeoutMs} and the driver on a silent
 * socket after {@code queryTimeoutMs}, so a store that goes away turns requests into 503s within those
 * bounds instead of hanging them; connections are made anew once it is back.
 */
public final class Postgres {
    private Postgres() {}

    /** @throws IllegalStateException when the store cannot be reached or migrated (the server does not start) */
    public static HikariDataSource open(PostgresSettings s, String poolName) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(poolName);
        c.setJdbcUrl(s.url());
        c.setUsername(s.user());
        c.setPassword(s.password());
        c.setMaximumPoolSize(s.poolSize());
        c.setMinimumIdle(Math.min(2, s.poolSize()));
        c.setConnectionTimeout(s.connectTimeoutMs());
        c.setValidationTimeout(Math.min(s.connectTimeoutMs(), 1000));
        c.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, s.connectTimeoutMs() / 1000)));
        c.addDataSourceProperty("socketTimeout", Long.toString(Math.max(1, s.queryTimeoutMs() / 1000)));
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("ApplicationName", "tandem");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the PostgreSQL store at " + s.url() + ": " + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/postgres").load().migrate();
        } catch (FlywayException e) {
            pool.close();
            throw new IllegalStateException("cannot migrate the PostgreSQL store at " + s.url() + ": " + rootMessage(e), e);
        }
        return pool;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
