package dev.tandem.server.ops.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key cache's bound: a lookup by secret sees a change made elsewhere (another replica, the CLI:
 * here, a second store on the same file) within the TTL, never later; a lookup by id (the gate's, on
 * every request) sees it at once; a change made through the cache is seen at once either way.
 */
class CachingKeyStoreTest {
    @TempDir
    Path dir;
    final AtomicLong nanos = new AtomicLong();
    final Ticker ticker = nanos::get;

    @Test
    void aKeyRevokedElsewhereIsRefusedOnceTheTtlHasPassedAndNotBefore() {
        try (KeyStore shared = new SqliteKeyStore(dir.resolve("k.db"));
                KeyStore elsewhere = new SqliteKeyStore(dir.resolve("k.db"))) {
            KeyStore cached = new CachingKeyStore(shared, Duration.ofSeconds(2), ticker);
            CreatedKey k = cached.create(KeySpec.builder("a").build());
            assertThat(cached.findBySecret(k.secret()).orElseThrow().isRevoked()).isFalse();
            assertThat(cached.findById(k.key().id()).orElseThrow().isRevoked()).isFalse();

            // When another process revokes it
            elsewhere.revoke(k.key().id());
            // Then the lookup by id (the gate's) sees it at once
            assertThat(cached.findById(k.key().id()).orElseThrow().isRevoked()).isTrue();
            // while the lookup by secret still says what it read, up to the TTL
            nanos.addAndGet(Duration.ofMillis(1999).toNanos());
            assertThat(cached.findBySecret(k.secret()).orElseThrow().isRevoked()).isFalse();
            // and the revocation once the TTL is over
            nanos.addAndGet(Duration.ofMillis(1).toNanos());
            assertThat(cached.findBySecret(k.secret()).orElseThrow().isRevoked()).isTrue();
        }
    }

    @Test
    void aKeyRevokedThroughTheCacheIsRefusedAtOnce() {
        try (KeyStore cached = new CachingKeyStore(new SqliteKeyStore(dir.resolve("k.db")), Duration.ofHours(1), ticker)) {
            CreatedKey k = cached.create(KeySpec.builder("a").build());
            assertThat(cached.findBySecret(k.secret()).orElseThrow().isRevoked()).isFalse();
            assertThat(cached.findById(k.key().id()).orElseThrow().isRevoked()).isFalse();
            cached.revoke(k.key().id());
            assertThat(cached.findBySecret(k.secret()).orElseThrow().isRevoked()).isTrue();
            assertThat(cached.findById(k.key().id()).orElseThrow().isRevoked()).isTrue();
        }
    }

    @Test
    void anUnknownSecretLooksUpOncePerTtl() {
        try (KeyStore shared = new SqliteKeyStore(dir.resolve("k.db"))) {
            int[] lookups = {0};
            KeyStore counting = new CachingKeyStore(new KeyStore() {
                @Override
                public CreatedKey create(KeySpec spec) {
                    return shared.create(spec);
                }

                @Override
                public java.util.Optional<ApiKey> findBySecret(String secret) {
                    lookups[0]++;
                    return shared.findBySecret(secret);
                }

                @Override
                public java.util.Optional<ApiKey> findById(String id) {
                    return shared.findById(id);
                }

                @Override
                public java.util.List<ApiKey> list() {
                    return shared.list();
                }

                @Override
                public boolean revoke(String id) {
                    return shared.revoke(id);
                }

                @Override
                public void close() {}
            }, Duration.ofSeconds(1), ticker);
            for (int i = 0; i < 5; i++) {
                assertThat(counting.findBySecret("tdm-nobody")).isEmpty();
            }
            assertThat(lookups[0]).isEqualTo(1);
        }
    }
}
