package dev.tandem.server.ops.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Key lookups remembered for a short time, so that a request does not ask the shared store who its
 * key is (twice: the auth filter by secret, the gate by id). The bound on staleness is the TTL: a key
 * revoked or changed through another replica (or the CLI) is seen here at most {@code ttl} later.
 * Changes made through this store (the admin API of this replica) are seen at once. Unknown secrets
 * are remembered too (a key created later has a new, unguessable secret, so none is ever hidden).
 */
public final class CachingKeyStore implements KeyStore {
    private static final int MAX_ENTRIES = 100_000;

    private final KeyStore inner;
    private final Cache<String, Optional<ApiKey>> bySecretHash;
    private final Cache<String, Optional<ApiKey>> byId;

    public CachingKeyStore(KeyStore inner, Duration ttl) {
        this(inner, ttl, Ticker.systemTicker());
    }

    /** @param ticker the cache's clock (tests move one by hand) */
    public CachingKeyStore(KeyStore inner, Duration ttl, Ticker ticker) {
        this.inner = inner;
        this.bySecretHash = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(MAX_ENTRIES).ticker(ticker).build();
        this.byId = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(MAX_ENTRIES).ticker(ticker).build();
    }

    @Override
    public CreatedKey create(KeySpec spec) {
        CreatedKey created = inner.create(spec);
        bySecretHash.invalidate(Secrets.hash(created.secret()));
        byId.invalidate(created.key().id());
        return created;
    }

    @Override
    public Optional<ApiKey> findBySecret(String secret) {
        // a failed lookup (store away) throws through and is not remembered
        return bySecretHash.get(Secrets.hash(secret), h -> inner.findBySecret(secret));
    }

    @Override
    public Optional<ApiKey> findById(String id) {
        return byId.get(id, inner::findById);
    }

    @Override
    public List<ApiKey> list() {
        return inner.list();
    }

    @Override
    public boolean revoke(String id) {
        boolean revoked = inner.revoke(id);
        byId.invalidate(id);
        // the secret's hash is not known here: drop every cached lookup by secret of this key
        bySecretHash.asMap().values().removeIf(k -> k.isPresent() && k.get().id().equals(id));
        return revoked;
    }

    @Override
    public void close() {
        inner.close();
    }
}
