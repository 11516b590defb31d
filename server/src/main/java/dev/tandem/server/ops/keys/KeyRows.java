package dev.tandem.server.ops.keys;

import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Policy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** A key as a row of {@code api_keys}: the same columns in SQLite and PostgreSQL. */
final class KeyRows {
    static final String COLUMNS =
            "id, name, policy, allowed_models, rpm, tpm, max_concurrent, budget_usd, created_ms, revoked_ms";
    static final String INSERT = "INSERT INTO api_keys (secret_sha256, " + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)";
    static final String BY_SECRET = "SELECT " + COLUMNS + " FROM api_keys WHERE secret_sha256 = ?";
    static final String BY_ID = "SELECT " + COLUMNS + " FROM api_keys WHERE id = ?";
    /** Revoking twice keeps the first time. */
    static final String REVOKE = "UPDATE api_keys SET revoked_ms = COALESCE(revoked_ms, ?) WHERE id = ?";

    private KeyRows() {}

    /** Binds the parameters of {@link #INSERT}. */
    static void bindInsert(PreparedStatement p, ApiKey key, String secret) throws SQLException {
        Caller.Limits limits = key.limits();
        p.setString(1, Secrets.hash(secret));
        p.setString(2, key.id());
        p.setString(3, key.name());
        p.setString(4, key.policy() == null ? null : key.policy().wireName());
        p.setString(5, String.join(",", limits.allowedModels()));
        setInt(p, 6, limits.rpm());
        setInt(p, 7, limits.tpm());
        setInt(p, 8, limits.maxConcurrent());
        if (limits.budgetUsd() == null) {
            p.setNull(9, Types.DOUBLE);
        } else {
            p.setDouble(9, limits.budgetUsd());
        }
        p.setLong(10, key.created().toEpochMilli());
        p.setNull(11, Types.BIGINT);
    }

    static ApiKey read(ResultSet r) throws SQLException {
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
