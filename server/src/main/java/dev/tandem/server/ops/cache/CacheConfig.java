package dev.tandem.server.ops.cache;

import dev.tandem.server.core.Assert;

/**
 * The {@code cache:} section (defaults in {@code tandem-defaults.yaml}).
 *
 * @param enabled cache deterministic answers
 * @param kind memory (each replica its own answers) or redis (shared through {@code redis})
 * @param ttlSeconds how long an answer stays
 * @param maxEntries how many answers at most (in memory; Redis evicts by its own maxmemory policy)
 * @param perKey answers are only replayed to the API key that paid for them
 * @param redis how to reach Redis (read only when {@code kind} is redis)
 */
public record CacheConfig(boolean enabled, CacheKind kind, long ttlSeconds, long maxEntries, boolean perKey, RedisSettings redis) {
    public CacheConfig {
        Assert.notNull(kind, "cache.kind");
        Assert.notNull(redis, "cache.redis");
        Assert.isTrue(ttlSeconds >= 1 && maxEntries >= 1, "cache.ttlSeconds and cache.maxEntries must be >= 1");
        if (enabled && kind == CacheKind.REDIS) {
            redis.uri(); // a missing or malformed URL is a configuration error at start-up, not a cache that never hits
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().withEnabled(enabled).withKind(kind).withTtlSeconds(ttlSeconds).withMaxEntries(maxEntries)
                .withPerKey(perKey).withRedis(redis);
    }

    public static final class Builder {
        // no defaults here: they live in tandem-defaults.yaml (start from the loaded section's toBuilder())
        private boolean enabled;
        private CacheKind kind;
        private long ttlSeconds;
        private long maxEntries;
        private boolean perKey;
        private RedisSettings redis;

        private Builder() {}

        public Builder withEnabled(boolean v) {
            enabled = v;
            return this;
        }

        public Builder withKind(CacheKind v) {
            kind = v;
            return this;
        }

        public Builder withTtlSeconds(long v) {
            ttlSeconds = v;
            return this;
        }

        public Builder withMaxEntries(long v) {
            maxEntries = v;
            return this;
        }

        public Builder withPerKey(boolean v) {
            perKey = v;
            return this;
        }

        public Builder withRedis(RedisSettings v) {
            redis = v;
            return this;
        }

        public CacheConfig build() {
            return new CacheConfig(enabled, kind, ttlSeconds, maxEntries, perKey, redis);
        }
    }
}
