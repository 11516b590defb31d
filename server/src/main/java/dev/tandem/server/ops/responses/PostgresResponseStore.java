package dev.tandem.server.ops.responses;

import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.core.StoredResponse;
import dev.tandem.server.ops.StoreCalls;
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
 * Stored responses in the shared PostgreSQL store (tables of {@code V3__responses.sql}), so a response
 * stored through one replica is found through any. The same rows as {@link SqliteResponseStore}; a put
 * is one transaction that prunes, and the pruning is serialised across replicas by an advisory lock
 * held to the commit, so the count bound holds however many replicas put at once (and two prunes never
 * deadlock on each other's rows). Items go with their response by the foreign key. Reads never see a
 * row past the age, pruned or not. Ages are measured on the replica's clock.
 */
public final class PostgresResponseStore implements ResponseStore {
    private static final String ITEM = ResponseRows.itemQuery("seq");
    private static final String PRUNE_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('tandem.responses.prune', 0))";

    private final StoreCalls calls;
    private final ResponsesConfig config;
    private final Clock clock;

    public PostgresResponseStore(StoreCalls calls, ResponsesConfig config, Clock clock) {
        this.calls = calls;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public void put(StoredResponse r) {
        long now = clock.millis();
        calls.inTransaction("responses.put", c -> {
            ResponseRows.insert(c, r, now);
            prune(c, now);
            return null;
        });
    }

    /** Drops rows past the age, then the oldest beyond the count (their items by cascade), one replica at a time. */
    private void prune(Connection c, long now) throws SQLException {
        try (Statement lock = c.createStatement();
                PreparedStatement old = c.prepareStatement("DELETE FROM responses WHERE created_ms < ?");
                PreparedStatement over = c.prepareStatement(
                        "DELETE FROM responses WHERE id IN (SELECT id FROM responses ORDER BY created_ms DESC, seq DESC OFFSET ?)")) {
            lock.execute(PRUNE_LOCK);
            old.setLong(1, oldestKept(now));
            old.executeUpdate();
            over.setInt(1, config.maxStored());
            over.executeUpdate();
        }
    }

    private long oldestKept(long now) {
        return now - config.maxAge().toMillis();
    }

    /** One statement, so one snapshot: the response and its items as they were together. */
    @Override
    public Optional<StoredResponse> get(String owner, String id) {
        return calls.call("responses.get", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT r.response, i.kind, i.item_id, i.item FROM responses r"
                    + " LEFT JOIN response_items i ON i.response_id = r.id"
                    + " WHERE r.id = ? AND r.owner = ? AND r.created_ms >= ? ORDER BY i.kind, i.position")) {
                ResponseRows.bindOwned(p, owner, id, oldestKept(clock.millis()));
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    String response = r.getString(1);
                    List<StoredResponse.Item> input = new ArrayList<>();
                    List<StoredResponse.Item> output = new ArrayList<>();
                    do {
                        if (r.getString(3) != null) {
                            (r.getInt(2) == ResponseRows.INPUT ? input : output).add(new StoredResponse.Item(r.getString(3), r.getString(4)));
                        }
                    } while (r.next());
                    return Optional.of(new StoredResponse(id, owner, response, input, output));
                }
            }
        });
    }

    @Override
    public Optional<StoredResponse.Item> item(String owner, String itemId) {
        return calls.call("responses.item", c -> {
            try (PreparedStatement p = c.prepareStatement(ITEM)) {
                ResponseRows.bindItem(p, owner, itemId, oldestKept(clock.millis()));
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new StoredResponse.Item(itemId, r.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean delete(String owner, String id) {
        return calls.call("responses.delete", c -> {
            try (PreparedStatement p = c.prepareStatement(ResponseRows.DELETE)) {
                ResponseRows.bindOwned(p, owner, id, oldestKept(clock.millis()));
                return p.executeUpdate() > 0;
            }
        });
    }

    /** How many responses are kept now, expired ones not yet pruned included (for tests and operators). */
    public int size() {
        return calls.call("responses.size", c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM responses")) {
                r.next();
                return r.getInt(1);
            }
        });
    }

    /** The pool belongs to whoever opened it (the stores). */
    @Override
    public void close() {}
}
