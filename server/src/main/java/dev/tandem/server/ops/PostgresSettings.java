package dev.tandem.server.ops;

import dev.tandem.server.core.Assert;

/**
 * How to reach the shared PostgreSQL store ({@code store.postgres} in the YAML; defaults in
 * {@code tandem-defaults.yaml}).
 *
 * @param url JDBC URL, {@code jdbc:postgresql://host:port/database}
 * @param password may be empty (trust or a password file); never logged
 * @param poolSize connections each replica keeps at most
 * @param connectTimeoutMs the longest wait for a connection; past it the store counts as away (503)
 * @param queryTimeoutMs the longest a statement may take before the store counts as away
 * @param leaseTtlMs a concurrency slot of a replica that died is given back after this
 */
public record PostgresSettings(String url, String user, String password, int poolSize, long connectTimeoutMs,
        long queryTimeoutMs, long leaseTtlMs) {

    public PostgresSettings {
        Assert.isTrue(url != null && url.startsWith("jdbc:postgresql:"), "store.postgres.url must be a jdbc:postgresql: URL");
        Assert.notNull(user, "store.postgres.user");
        password = password == null ? "" : password;
        Assert.isTrue(poolSize >= 1, "store.postgres.poolSize must be >= 1");
        Assert.isTrue(connectTimeoutMs >= 250, "store.postgres.connectTimeoutMs must be >= 250 (HikariCP's least)");
        Assert.isTrue(queryTimeoutMs >= 1000, "store.postgres.queryTimeoutMs must be >= 1000");
        Assert.isTrue(leaseTtlMs >= 1000, "store.postgres.leaseTtlMs must be >= 1000");
    }

    @Override
    public String toString() {
        return "PostgresSettings[url=" + url + ", user=" + user + ", password=****, poolSize=" + poolSize + "]";
    }
}
