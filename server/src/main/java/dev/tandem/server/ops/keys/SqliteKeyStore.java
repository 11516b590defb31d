package dev.tandem.server.ops.keys;

import dev.tandem.server.ops.Sqlite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Keys in the embedded SQLite file; one connection, used under this object's lock. */
public final class SqliteKeyStore implements KeyStore {
    private final Connection db;
    private final Clock clock;

    public SqliteKeyStore(Path file) {
        this(file, "NORMAL", Clock.systemUTC());
    }

    public SqliteKeyStore(Path file, String synchronous, Clock clock) {
        this.db = Sqlite.open(file, synchronous);
        this.clock = clock;
        try (Statement s = db.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS api_keys (
                      id TEXT PRIMARY KEY,
                      secret_sha256 TEXT NOT NULL UNIQUE,
                      name TEXT NOT NULL,
                      policy TEXT,
                      allowed_models TEXT NOT NULL,
                      rpm INTEGER, tpm INTEGER, max_concurrent INTEGER, budget_usd REAL,
                      created_ms INTEGER NOT NULL,
                      revoked_ms INTEGER)""");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create api_keys table: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized CreatedKey create(KeySpec spec) {
        ApiKey key = new ApiKey(Secrets.newId(), spec, Instant.ofEpochMilli(clock.millis()), null);
        String secret = Secrets.newSecret();
        try (PreparedStatement p = db.prepareStatement(KeyRows.INSERT)) {
            KeyRows.bindInsert(p, key, secret);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store key: " + e.getMessage(), e);
        }
        return new CreatedKey(key, secret);
    }

    @Override
    public synchronized Optional<ApiKey> findBySecret(String secret) {
        return queryOne(KeyRows.BY_SECRET, Secrets.hash(secret));
    }

    @Override
    public synchronized Optional<ApiKey> findById(String id) {
        return queryOne(KeyRows.BY_ID, id);
    }

    @Override
    public synchronized List<ApiKey> list() {
        try (PreparedStatement p = db.prepareStatement("SELECT " + KeyRows.COLUMNS + " FROM api_keys ORDER BY created_ms, rowid");
                ResultSet r = p.executeQuery()) {
            List<ApiKey> out = new ArrayList<>();
            while (r.next()) {
                out.add(KeyRows.read(r));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list keys: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized boolean revoke(String id) {
        try (PreparedStatement p = db.prepareStatement(KeyRows.REVOKE)) {
            p.setLong(1, clock.millis());
            p.setString(2, id);
            return p.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke key: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing at shutdown: nothing left to do
        }
    }

    private Optional<ApiKey> queryOne(String sql, String arg) {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            p.setString(1, arg);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(KeyRows.read(r)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read key: " + e.getMessage(), e);
        }
    }
}
