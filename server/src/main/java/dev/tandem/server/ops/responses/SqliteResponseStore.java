package dev.tandem.server.ops.responses;

import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.core.StoredResponse;
import dev.tandem.server.ops.Sqlite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stored responses in the embedded SQLite file, one connection used under this object's lock. A
 * response is one row; its items are rows of their own (input and output, in order), so that an
 * {@code item_reference} finds one by id. A put is one transaction, and prunes: rows past the age
 * and, beyond the count, the oldest. Reads never see a row past the age, pruned or not.
 */
public final class SqliteResponseStore implements ResponseStore {
    private static final String ITEM = ResponseRows.itemQuery("rowid");

    private final Connection db;
    private final ResponsesConfig config;
    private final Clock clock;

    public SqliteResponseStore(Path file, String synchronous, ResponsesConfig config, Clock clock) {
        this.db = Sqlite.open(file, synchronous);
        this.config = config;
        this.clock = clock;
        try (Statement s = db.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS responses (
                      id TEXT PRIMARY KEY,
                      owner TEXT NOT NULL,
                      created_ms INTEGER NOT NULL,
                      response TEXT NOT NULL)""");
            s.execute("CREATE INDEX IF NOT EXISTS responses_created ON responses(created_ms)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS response_items (
                      response_id TEXT NOT NULL,
                      kind INTEGER NOT NULL,
                      position INTEGER NOT NULL,
                      owner TEXT NOT NULL,
                      item_id TEXT NOT NULL,
                      item TEXT NOT NULL,
                      PRIMARY KEY (response_id, kind, position))""");
            s.execute("CREATE INDEX IF NOT EXISTS response_items_id ON response_items(owner, item_id)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the responses tables: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void put(StoredResponse r) {
        long now = clock.millis();
        try {
            db.setAutoCommit(false);
            ResponseRows.insert(db, r, now);
            prune(now);
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot store response: " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    /** Drops rows past the age, then the oldest beyond the count; their items with them. */
    private void prune(long now) throws SQLException {
        try (PreparedStatement old = db.prepareStatement("DELETE FROM responses WHERE created_ms < ?");
                PreparedStatement over = db.prepareStatement(
                        "DELETE FROM responses WHERE id IN (SELECT id FROM responses ORDER BY created_ms DESC, rowid DESC LIMIT -1 OFFSET ?)");
                Statement orphans = db.createStatement()) {
            old.setLong(1, oldestKept(now));
            int dropped = old.executeUpdate();
            over.setInt(1, config.maxStored());
            dropped += over.executeUpdate();
            if (dropped > 0) {
                orphans.executeUpdate("DELETE FROM response_items WHERE response_id NOT IN (SELECT id FROM responses)");
            }
        }
    }

    private long oldestKept(long now) {
        return now - config.maxAge().toMillis();
    }

    @Override
    public synchronized Optional<StoredResponse> get(String owner, String id) {
        try (PreparedStatement p = db.prepareStatement("SELECT response FROM responses" + ResponseRows.WHERE_OWNED)) {
            ResponseRows.bindOwned(p, owner, id, oldestKept(clock.millis()));
            String response;
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                response = r.getString(1);
            }
            return Optional.of(new StoredResponse(id, owner, response, items(id, ResponseRows.INPUT), items(id, ResponseRows.OUTPUT)));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read response: " + e.getMessage(), e);
        }
    }

    private List<StoredResponse.Item> items(String responseId, int kind) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(
                "SELECT item_id, item FROM response_items WHERE response_id = ? AND kind = ? ORDER BY position")) {
            p.setString(1, responseId);
            p.setInt(2, kind);
            try (ResultSet r = p.executeQuery()) {
                List<StoredResponse.Item> out = new ArrayList<>();
                while (r.next()) {
                    out.add(new StoredResponse.Item(r.getString(1), r.getString(2)));
                }
                return out;
            }
        }
    }

    @Override
    public synchronized Optional<StoredResponse.Item> item(String owner, String itemId) {
        try (PreparedStatement p = db.prepareStatement(ITEM)) {
            ResponseRows.bindItem(p, owner, itemId, oldestKept(clock.millis()));
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(new StoredResponse.Item(itemId, r.getString(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read item: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized boolean delete(String owner, String id) {
        try {
            db.setAutoCommit(false);
            int deleted;
            try (PreparedStatement p = db.prepareStatement(ResponseRows.DELETE)) {
                ResponseRows.bindOwned(p, owner, id, oldestKept(clock.millis()));
                deleted = p.executeUpdate();
            }
            if (deleted > 0) {
                try (PreparedStatement p = db.prepareStatement("DELETE FROM response_items WHERE response_id = ?")) {
                    p.setString(1, id);
                    p.executeUpdate();
                }
            }
            db.commit();
            return deleted > 0;
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot delete response: " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    /** How many responses are kept now, expired ones not yet pruned included (for tests and operators). */
    public synchronized int size() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM responses")) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count responses: " + e.getMessage(), e);
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is the one to report
        }
    }

    private void autoCommit() {
        try {
            db.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the connection is broken; the next call reports it
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
