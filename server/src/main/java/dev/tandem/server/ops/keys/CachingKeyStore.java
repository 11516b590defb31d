package dev.tandem.server.ops.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Lookups by secret remembered for a short time: the auth filter finds who is calling without asking
 * the shared store each time. Lookups by id are never cached: the gate re-reads the caller's key by id
 * on every generation and token count, so a revoked key (or changed limits) counts at once on every
 * replica, and a store that cannot be reached refuses the request (fail closed) whatever the key.
 * What the auth filter alone guards (listing models) sees a revocation made elsewhere within the TTL.
 * Unknown secrets are remembered too (a key created later has a new, unguessable secret, so none is
 * ever hidden).
 */
public final class CachingKeyStore implements KeyStore {
    private static final int MAX_ENTRIES = 100_000;

    private final KeyStore inner;
    private final Cache<String, Optional<ApiKey>> bySecretHash;

    public CachingKeyStore(KeyStore inner, Duration ttl) {
        this(inner, ttl, Ticker.systemTicker());
    }

    /** @param ticker the cache's clock (tests move one by hand) */
    public CachingKeyStore(KeyStore inner, Duration ttl, Ticker ticker) {
        this.inner = inner;
        this.bySecretHash = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(MAX_ENTRIES).ticker(ticker).build();
    }

    @Override
    public CreatedKey create(KeySpec spec) {
        CreatedKey created = inner.create(spec);
        bySecretHash.invalidate(Secrets.hash(created.secret()));
        return created;
    }

    @Override
    public Optional<ApiKey> findBySecret(String secret) {
        // a failed lookup (store away) throws through and is not remembered
        return bySecretHash.get(Secrets.hash(secret), h -> inner.findBySecret(secret));
    }

    @Override
    public Optional<ApiKey> findById(String id) {
        return inner.findById(id);
    }

    @Override
    public List<ApiKey> list() {
        return inner.list();
    }

    @Override
    public boolean revoke(String id) {
        boolean revoked = inner.revoke(id);
        // the secret's hash is not known here: drop every cached lookup by secret of this key
        bySecretHash.asMap().values().removeIf(k -> k.isPresent() && k.get().id().equals(id));
        return revoked;
    }

    @Override
    public void close() {
        inner.close();
    }
}
