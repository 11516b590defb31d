package dev.tandem.server.ops.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** A ledger row as a row of {@code usage}, and a total as a row of its grouping: the same in SQLite and PostgreSQL. */
final class UsageRows {
    static final String COLUMNS = "row_id, time_ms, request_id, key_id, dialect, model, backend, route,"
            + " prompt_tokens, completion_tokens, ttft_ms, total_ms, status, cost_usd";
    /** Inserts a row once: a row whose id is already there (a retried write) inserts nothing. */
    static final String INSERT = "INSERT INTO usage (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            + " ON CONFLICT (row_id) DO NOTHING";
    /**
     * The rows with {@code from <= time < to}, oldest first, at most a limit: bind with {@link #bindRange}
     * and the limit third. Rows written before rows had ids (a ledger older than them) read as "row-N".
     */
    static final String ROWS = "SELECT COALESCE(row_id, 'row-' || id) AS row_id," + COLUMNS.substring("row_id,".length())
            + " FROM usage WHERE time_ms >= ? AND time_ms < ? ORDER BY id LIMIT ?";
    static final String SPENT = "SELECT COALESCE(SUM(cost_usd), 0) FROM usage WHERE key_id = ?";

    private UsageRows() {}

    /**
     * Totals by day, key, model and backend for {@code from <= time < to}, given how this database
     * writes a row's UTC day ({@code yyyy-MM-dd}) from {@code time_ms}, and how it orders text as
     * plain bytes (so both stores list the same order).
     */
    static String totalsQuery(String dayOfTimeMs, String byteOrder) {
        return "SELECT " + dayOfTimeMs + " AS day, key_id, model, backend, COUNT(*) AS n,"
                + " SUM(prompt_tokens) AS pt, SUM(completion_tokens) AS ct, SUM(cost_usd) AS cost"
                + " FROM usage WHERE time_ms >= ? AND time_ms < ?"
                + " GROUP BY day, key_id, model, backend"
                + " ORDER BY day, key_id" + byteOrder + ", model" + byteOrder + ", backend" + byteOrder;
    }

    static void bindInsert(PreparedStatement p, UsageRecord r) throws SQLException {
        p.setString(1, r.id());
        p.setLong(2, r.time().toEpochMilli());
        p.setString(3, r.requestId());
        p.setString(4, r.keyId());
        p.setString(5, r.dialect());
        p.setString(6, r.model());
        p.setString(7, r.backend());
        p.setString(8, r.route());
        p.setInt(9, r.promptTokens());
        p.setInt(10, r.completionTokens());
        if (r.timeToFirstTokenMs() == null) {
            p.setNull(11, Types.BIGINT);
        } else {
            p.setLong(11, r.timeToFirstTokenMs());
        }
        p.setLong(12, r.totalMs());
        p.setString(13, r.status());
        p.setDouble(14, r.costUsd());
    }

    /** {@code from <= time < to} as the first two parameters; nulls are open ends. */
    static void bindRange(PreparedStatement p, Instant from, Instant to) throws SQLException {
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

    /** Every row of a {@link #ROWS} query. */
    static List<UsageRecord> records(ResultSet r) throws SQLException {
        List<UsageRecord> out = new ArrayList<>();
        while (r.next()) {
            out.add(readRecord(r));
        }
        return out;
    }

    /** Every row of a {@link #totalsQuery} query. */
    static List<UsageTotal> totals(ResultSet r) throws SQLException {
        List<UsageTotal> out = new ArrayList<>();
        while (r.next()) {
            out.add(readTotal(r));
        }
        return out;
    }

    private static UsageRecord readRecord(ResultSet r) throws SQLException {
        long ttft = r.getLong("ttft_ms");
        Long ttftOrNull = r.wasNull() ? null : ttft;
        return UsageRecord.builder(Instant.ofEpochMilli(r.getLong("time_ms")), r.getString("request_id"))
                .withId(r.getString("row_id"))
                .withKeyId(r.getString("key_id"))
                .withDialect(r.getString("dialect"))
                .withModel(r.getString("model"))
                .withBackend(r.getString("backend"), r.getString("route"))
                .withTokens(r.getInt("prompt_tokens"), r.getInt("completion_tokens"))
                .withTimes(ttftOrNull, r.getLong("total_ms"))
                .withStatus(r.getString("status"))
                .withCostUsd(r.getDouble("cost_usd"))
                .build();
    }

    private static UsageTotal readTotal(ResultSet r) throws SQLException {
        return UsageTotal.builder(LocalDate.parse(r.getString("day")), r.getString("key_id"), r.getString("model"),
                        r.getString("backend"))
                .withRequests(r.getLong("n"))
                .withTokens(r.getLong("pt"), r.getLong("ct"))
                .withCostUsd(r.getDouble("cost"))
                .build();
    }
}
