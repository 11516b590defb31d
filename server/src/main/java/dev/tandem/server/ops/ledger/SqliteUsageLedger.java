package dev.tandem.server.ops.ledger;

import dev.tandem.server.ops.Sqlite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ledger in SQLite. Each row is its own transaction (autocommit), so a row is durable the moment
 * {@link #record} returns; spend per key is summed once from the table and then kept in memory.
 */
public final class SqliteUsageLedger implements UsageLedger {
    private static final String TOTALS = UsageRows.totalsQuery("date(time_ms / 1000, 'unixepoch')", "");

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
                      cost_usd REAL NOT NULL,
                      row_id TEXT)""");
            s.execute("CREATE INDEX IF NOT EXISTS usage_time ON usage(time_ms)");
            s.execute("CREATE INDEX IF NOT EXISTS usage_key ON usage(key_id)");
            addRowIds(s);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create usage table: " + e.getMessage(), e);
        }
        try {
            this.insert = db.prepareStatement(UsageRows.INSERT);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the usage insert: " + e.getMessage(), e);
        }
    }

    /** A file made before rows had ids gains the column (its old rows keep none) and the index that keeps them unique. */
    private static void addRowIds(Statement s) throws SQLException {
        boolean has = false;
        try (ResultSet r = s.executeQuery("PRAGMA table_info(usage)")) {
            while (r.next()) {
                has |= r.getString("name").equals("row_id");
            }
        }
        if (!has) {
            s.execute("ALTER TABLE usage ADD COLUMN row_id TEXT");
        }
        s.execute("CREATE UNIQUE INDEX IF NOT EXISTS usage_row_id ON usage(row_id)");
    }

    @Override
    public synchronized void record(UsageRecord r) {
        int inserted;
        try {
            UsageRows.bindInsert(insert, r);
            inserted = insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write usage row: " + e.getMessage(), e);
        }
        if (inserted == 1 && r.costUsd() != 0) {
            spent.computeIfPresent(r.keyId(), (k, v) -> v + r.costUsd());
        }
    }

    @Override
    public synchronized List<UsageTotal> totals(Instant from, Instant to) {
        try (PreparedStatement p = db.prepareStatement(TOTALS)) {
            UsageRows.bindRange(p, from, to);
            try (ResultSet r = p.executeQuery()) {
                return UsageRows.totals(r);
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
        try (PreparedStatement p = db.prepareStatement(UsageRows.SPENT)) {
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
        try (PreparedStatement p = db.prepareStatement(UsageRows.ROWS)) {
            UsageRows.bindRange(p, from, to);
            p.setInt(3, limit);
            try (ResultSet r = p.executeQuery()) {
                return UsageRows.records(r);
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
}
