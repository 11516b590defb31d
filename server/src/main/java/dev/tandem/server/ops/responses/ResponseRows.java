package dev.tandem.server.ops.responses;

import dev.tandem.server.core.StoredResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * A stored response as rows of {@code responses} and {@code response_items}: the same in SQLite and
 * PostgreSQL. Items are numbered in order within their kind (input, output).
 */
final class ResponseRows {
    static final int INPUT = 0;
    static final int OUTPUT = 1;
    /** An owner's live response by id: bind with {@link #bindOwned}. */
    static final String WHERE_OWNED = " WHERE id = ? AND owner = ? AND created_ms >= ?";
    static final String DELETE = "DELETE FROM responses" + WHERE_OWNED;

    private ResponseRows() {}

    /**
     * An owner's live item by id, from the newest response that has it (an output over an input),
     * given the column that orders responses stored in the same millisecond.
     */
    static String itemQuery(String insertionOrder) {
        return "SELECT i.item FROM response_items i JOIN responses r ON r.id = i.response_id"
                + " WHERE i.owner = ? AND i.item_id = ? AND r.created_ms >= ?"
                + " ORDER BY r.created_ms DESC, r." + insertionOrder + " DESC, i.kind DESC LIMIT 1";
    }

    /** Writes {@code r} and its items, stored at {@code nowMs}, in the caller's transaction. */
    static void insert(Connection c, StoredResponse r, long nowMs) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO responses (id, owner, created_ms, response) VALUES (?,?,?,?)")) {
            p.setString(1, r.id());
            p.setString(2, r.owner());
            p.setLong(3, nowMs);
            p.setString(4, r.response());
            p.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO response_items (response_id, kind, position, owner, item_id, item) VALUES (?,?,?,?,?,?)")) {
            addItems(p, r, INPUT, r.input());
            addItems(p, r, OUTPUT, r.output());
            p.executeBatch();
        }
    }

    private static void addItems(PreparedStatement p, StoredResponse r, int kind, List<StoredResponse.Item> items) throws SQLException {
        for (int i = 0; i < items.size(); i++) {
            p.setString(1, r.id());
            p.setInt(2, kind);
            p.setInt(3, i);
            p.setString(4, r.owner());
            p.setString(5, items.get(i).id());
            p.setString(6, items.get(i).json());
            p.addBatch();
        }
    }

    /** Binds the first three parameters: an id and its owner, of a response stored at or after {@code oldestKeptMs}. */
    static void bindOwned(PreparedStatement p, String owner, String id, long oldestKeptMs) throws SQLException {
        p.setString(1, id);
        p.setString(2, owner);
        p.setLong(3, oldestKeptMs);
    }

    /** Binds {@link #itemQuery}'s parameters. */
    static void bindItem(PreparedStatement p, String owner, String itemId, long oldestKeptMs) throws SQLException {
        p.setString(1, owner);
        p.setString(2, itemId);
        p.setLong(3, oldestKeptMs);
    }
}
