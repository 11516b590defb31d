package dev.tandem.server.ops.cache;

import dev.tandem.server.core.Assert;

/**
 * The {@code cache:} section (defaults in {@code tandem-defaults.yaml}).
 *
 * @param enabled cache deterministic answers
 * @param ttlSeconds how long an answer stays
 * @param maxEntries how many answers at most
 * @param perKey answers are only replayed to the API key that paid for them
 */
public record CacheConfig(boolean enabled, long ttlSeconds, long maxEntries, boolean perKey) {
    public CacheConfig {
        Assert.isTrue(ttlSeconds >= 1 && maxEntries >= 1, "cache.ttlSeconds and cache.maxEntries must be >= 1");
    }
}
