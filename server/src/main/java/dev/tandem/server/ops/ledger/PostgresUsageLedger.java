package dev.tandem.server.ops.ledger;

import dev.tandem.server.ops.StoreCalls;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;

/**
 * The ledger in the shared PostgreSQL store. A row and its key's spend are written in one statement,
 * committed before {@link #record} returns (once, whatever number of times a row is written); every replica reads the same spend, so a
 * budget holds across them (a request is checked against everything committed before it).
 */
public final class PostgresUsageLedger implements UsageLedger {
    private static final String TOTALS = UsageRows.totalsQuery(
            "to_char(to_timestamp(time_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')", " COLLATE \"C\"");
    /**
     * The row and its key's spend in one statement (one round trip, atomic in autocommit): the spend
     * grows only when the row is new, so a write retried after its answer was lost counts once.
     */
    private static final String RECORD = "WITH added AS (" + UsageRows.INSERT + " RETURNING key_id, cost_usd)"
            + " INSERT INTO key_spend (key_id, spent_usd) SELECT key_id, cost_usd FROM added WHERE cost_usd <> 0"
            + " ON CONFLICT (key_id) DO UPDATE SET spent_usd = key_spend.spent_usd + EXCLUDED.spent_usd";

    private final StoreCalls calls;

    public PostgresUsageLedger(StoreCalls calls) {
        this.calls = calls;
    }

    @Override
    public void record(UsageRecord row) {
        calls.call("ledger.record", c -> {
            try (PreparedStatement p = c.prepareStatement(RECORD)) {
                UsageRows.bindInsert(p, row);
                return p.executeUpdate();
            }
        });
    }

    @Override
    public List<UsageTotal> totals(Instant from, Instant to) {
        return calls.call("ledger.totals", c -> {
            try (PreparedStatement p = c.prepareStatement(TOTALS)) {
                UsageRows.bindRange(p, from, to);
                try (ResultSet r = p.executeQuery()) {
                    return UsageRows.totals(r);
                }
            }
        });
    }

    @Override
    public double spentUsd(String keyId) {
        return calls.call("ledger.spent", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT spent_usd FROM key_spend WHERE key_id = ?")) {
                p.setString(1, keyId);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? r.getDouble(1) : 0.0;
                }
            }
        });
    }

    @Override
    public List<UsageRecord> rows(Instant from, Instant to, int limit) {
        return calls.call("ledger.rows", c -> {
            try (PreparedStatement p = c.prepareStatement(UsageRows.ROWS)) {
                UsageRows.bindRange(p, from, to);
                p.setInt(3, limit);
                try (ResultSet r = p.executeQuery()) {
                    return UsageRows.records(r);
                }
            }
        });
    }

    /** The pool belongs to whoever opened it (the stores). */
    @Override
    public void close() {}
}
