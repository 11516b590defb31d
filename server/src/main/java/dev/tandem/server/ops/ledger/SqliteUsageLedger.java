package dev.tandem.server.ops.ledger;

import dev.tandem.server.ops.Sqlite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ledger in SQLite. Each row is its own transaction (autocommit), so a row is durable the moment
 * {@link #record} returns; spend per key is summed once from the table and then kept in memory.
 */
public final class SqliteUsageLedger implements UsageLedger {
    private static final String COLUMNS = "time_ms, request_id, key_id, dialect, model, backend, route,"
            + " prompt_tokens, completion_tokens, ttft_ms, total_ms, status, cost_usd";

    private final Connection db;
    /** Compiled once: preparing the INSERT for every row cost more than executing it. */
    private final PreparedStatement insert;
    /** Spend per key, filled on first ask; guarded by this object's lock like the connection. */
    private final Map<String, Double> spent = new HashMap<>();

    public SqliteUsageLedger(Path file) {
        this(file, "NORMAL");
    }

    public SqliteUsageLedger(Path file, String synchronous) {
        this.db = Sqlite.open(file, synchronous);
        try (Statement s = db.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS usage (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      time_ms INTEGER NOT NULL,
                      request_id TEXT NOT NULL,
                      key_id TEXT NOT NULL,
                      dialect TEXT NOT NULL,
                      model TEXT NOT NULL,
                      backend TEXT NOT NULL,
                      route TEXT NOT NULL,
                      prompt_tokens INTEGER NOT NULL,
                      completion_tokens INTEGER NOT NULL,
                      ttft_ms INTEGER,
                      total_ms INTEGER NOT NULL,
                      status TEXT NOT NULL,
                      cost_usd REAL NOT NULL)""");
            s.execute("CREATE INDEX IF NOT EXISTS usage_time ON usage(time_ms)");
            s.execute("CREATE INDEX IF NOT EXISTS usage_key ON usage(key_id)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create usage table: " + e.getMessage(), e);
        }
        try {
            this.insert = db.prepareStatement("INSERT INTO usage (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the usage insert: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void record(UsageRecord r) {
        try {
            PreparedStatement p = insert;
            p.setLong(1, r.time().toEpochMilli());
            p.setString(2, r.requestId());
            p.setString(3, r.keyId());
            p.setString(4, r.dialect());
            p.setString(5, r.model());
            p.setString(6, r.backend());
            p.setString(7, r.route());
            p.setInt(8, r.promptTokens());
            p.setInt(9, r.completionTokens());
            if (r.timeToFirstTokenMs() == null) {
                p.setNull(10, Types.INTEGER);
            } else {
                p.setLong(10, r.timeToFirstTokenMs());
            }
            p.setLong(11, r.totalMs());
            p.setString(12, r.status());
            p.setDouble(13, r.costUsd());
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write usage row: " + e.getMessage(), e);
        }
        if (r.costUsd() != 0) {
            spent.computeIfPresent(r.keyId(), (k, v) -> v + r.costUsd());
        }
    }

    @Override
    public synchronized List<UsageTotal> totals(Instant from, Instant to) {
        String sql = "SELECT date(time_ms / 1000, 'unixepoch') AS day, key_id, model, backend, COUNT(*) AS n,"
                + " SUM(prompt_tokens) AS pt, SUM(completion_tokens) AS ct, SUM(cost_usd) AS cost"
                + " FROM usage WHERE time_ms >= ? AND time_ms < ?"
                + " GROUP BY day, key_id, model, backend ORDER BY day, key_id, model, backend";
        try (PreparedStatement p = db.prepareStatement(sql)) {
            bindRange(p, from, to);
            try (ResultSet r = p.executeQuery()) {
                List<UsageTotal> out = new ArrayList<>();
                while (r.next()) {
                    out.add(UsageTotal.builder(LocalDate.parse(r.getString("day")), r.getString("key_id"), r.getString("model"),
                                    r.getString("backend"))
                            .withRequests(r.getLong("n"))
                            .withTokens(r.getLong("pt"), r.getLong("ct"))
                            .withCostUsd(r.getDouble("cost"))
                            .build());
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read usage: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized double spentUsd(String keyId) {
        return spent.computeIfAbsent(keyId, this::sumSpent);
    }

    private double sumSpent(String keyId) {
        try (PreparedStatement p = db.prepareStatement("SELECT COALESCE(SUM(cost_usd), 0) FROM usage WHERE key_id = ?")) {
            p.setString(1, keyId);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getDouble(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read spend: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<UsageRecord> rows(Instant from, Instant to, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM usage WHERE time_ms >= ? AND time_ms < ? ORDER BY id LIMIT ?";
        try (PreparedStatement p = db.prepareStatement(sql)) {
            bindRange(p, from, to);
            p.setInt(3, limit);
            try (ResultSet r = p.executeQuery()) {
                List<UsageRecord> out = new ArrayList<>();
                while (r.next()) {
                    long ttft = r.getLong("ttft_ms");
                    Long ttftOrNull = r.wasNull() ? null : ttft;
                    out.add(UsageRecord.builder(Instant.ofEpochMilli(r.getLong("time_ms")), r.getString("request_id"))
                            .withKeyId(r.getString("key_id"))
                            .withDialect(r.getString("dialect"))
                            .withModel(r.getString("model"))
                            .withBackend(r.getString("backend"), r.getString("route"))
                            .withTokens(r.getInt("prompt_tokens"), r.getInt("completion_tokens"))
                            .withTimes(ttftOrNull, r.getLong("total_ms"))
                            .withStatus(r.getString("status"))
                            .withCostUsd(r.getDouble("cost_usd"))
                            .build());
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read usage: " + e.getMessage(), e);
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

    private static void bindRange(PreparedStatement p, Instant from, Instant to) throws SQLException {
        p.setLong(1, epochMillis(from, Long.MIN_VALUE));
        p.setLong(2, epochMillis(to, Long.MAX_VALUE));
    }

    /** The instant in epoch milliseconds; beyond what a long holds (or none), the open end. */
    private static long epochMillis(Instant t, long openEnd) {
        if (t == null) {
            return openEnd;
        }
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException beyondLong) {
            return t.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
