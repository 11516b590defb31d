package dev.tandem.server.ops.keys;

import dev.tandem.server.ops.StoreCalls;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Keys in the shared PostgreSQL store, seen at once by every replica; calls go through the pool. */
public final class PostgresKeyStore implements KeyStore {
    private final StoreCalls calls;
    private final Clock clock;

    public PostgresKeyStore(StoreCalls calls, Clock clock) {
        this.calls = calls;
        this.clock = clock;
    }

    @Override
    public CreatedKey create(KeySpec spec) {
        ApiKey key = new ApiKey(Secrets.newId(), spec, Instant.ofEpochMilli(clock.millis()), null);
        String secret = Secrets.newSecret();
        calls.call("keys.create", c -> {
            try (PreparedStatement p = c.prepareStatement(KeyRows.INSERT)) {
                KeyRows.bindInsert(p, key, secret);
                return p.executeUpdate();
            }
        });
        return new CreatedKey(key, secret);
    }

    @Override
    public Optional<ApiKey> findBySecret(String secret) {
        return queryOne("keys.find", KeyRows.BY_SECRET, Secrets.hash(secret));
    }

    @Override
    public Optional<ApiKey> findById(String id) {
        return queryOne("keys.find", KeyRows.BY_ID, id);
    }

    @Override
    public List<ApiKey> list() {
        return calls.call("keys.list", c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + KeyRows.COLUMNS + " FROM api_keys ORDER BY created_ms, seq");
                    ResultSet r = p.executeQuery()) {
                List<ApiKey> out = new ArrayList<>();
                while (r.next()) {
                    out.add(KeyRows.read(r));
                }
                return out;
            }
        });
    }

    @Override
    public boolean revoke(String id) {
        return calls.call("keys.revoke", c -> {
            try (PreparedStatement p = c.prepareStatement(KeyRows.REVOKE)) {
                p.setLong(1, clock.millis());
                p.setString(2, id);
                return p.executeUpdate() > 0;
            }
        });
    }

    /** The pool belongs to whoever opened it (the stores), not to this view of it. */
    @Override
    public void close() {}

    private Optional<ApiKey> queryOne(String operation, String sql, String arg) {
        return calls.call(operation, c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setString(1, arg);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(KeyRows.read(r)) : Optional.empty();
                }
            }
        });
    }
}
