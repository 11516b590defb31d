package dev.tandem.server.ops.keys;

import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Policy;
import dev.tandem.server.ops.Sqlite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Keys in the embedded SQLite file; one connection, used under this object's lock. */
public final class SqliteKeyStore implements KeyStore {
    private static final String COLUMNS =
            "id, name, policy, allowed_models, rpm, tpm, max_concurrent, budget_usd, created_ms, revoked_ms";

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
        Caller.Limits limits = spec.limits();
        String secret = Secrets.newSecret();
        try (PreparedStatement p = db.prepareStatement(
                "INSERT INTO api_keys (secret_sha256, " + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
            p.setString(1, Secrets.hash(secret));
            p.setString(2, key.id());
            p.setString(3, key.name());
            p.setString(4, spec.policy() == null ? null : spec.policy().wireName());
            p.setString(5, String.join(",", limits.allowedModels()));
            setInt(p, 6, limits.rpm());
            setInt(p, 7, limits.tpm());
            setInt(p, 8, limits.maxConcurrent());
            if (limits.budgetUsd() == null) {
                p.setNull(9, Types.REAL);
            } else {
                p.setDouble(9, limits.budgetUsd());
            }
            p.setLong(10, key.created().toEpochMilli());
            p.setNull(11, Types.INTEGER);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store key: " + e.getMessage(), e);
        }
        return new CreatedKey(key, secret);
    }

    @Override
    public synchronized Optional<ApiKey> findBySecret(String secret) {
        return queryOne("SELECT " + COLUMNS + " FROM api_keys WHERE secret_sha256 = ?", Secrets.hash(secret));
    }

    @Override
    public synchronized Optional<ApiKey> findById(String id) {
        return queryOne("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?", id);
    }

    @Override
    public synchronized List<ApiKey> list() {
        try (PreparedStatement p = db.prepareStatement("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_ms, rowid");
                ResultSet r = p.executeQuery()) {
            List<ApiKey> out = new ArrayList<>();
            while (r.next()) {
                out.add(read(r));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list keys: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized boolean revoke(String id) {
        try (PreparedStatement p = db.prepareStatement(
                "UPDATE api_keys SET revoked_ms = COALESCE(revoked_ms, ?) WHERE id = ?")) {
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
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read key: " + e.getMessage(), e);
        }
    }

    private static ApiKey read(ResultSet r) throws SQLException {
        String models = r.getString("allowed_models");
        long revoked = r.getLong("revoked_ms");
        boolean notRevoked = r.wasNull();
        String policy = r.getString("policy");
        KeySpec spec = new KeySpec(r.getString("name"), policy == null ? null : Policy.parse(policy), new Caller.Limits(
                models.isEmpty() ? List.of() : Arrays.asList(models.split(",")),
                getInt(r, "rpm"),
                getInt(r, "tpm"),
                getInt(r, "max_concurrent"),
                getDouble(r, "budget_usd")));
        return new ApiKey(r.getString("id"), spec, Instant.ofEpochMilli(r.getLong("created_ms")),
                notRevoked ? null : Instant.ofEpochMilli(revoked));
    }

    private static void setInt(PreparedStatement p, int i, Integer v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.INTEGER);
        } else {
            p.setInt(i, v);
        }
    }

    private static Integer getInt(ResultSet r, String col) throws SQLException {
        int v = r.getInt(col);
        return r.wasNull() ? null : v;
    }

    private static Double getDouble(ResultSet r, String col) throws SQLException {
        double v = r.getDouble(col);
        return r.wasNull() ? null : v;
    }
}
