package dev.tandem.server.ops.cache;

/**
 * The {@code cache:} section.
 *
 * @param enabled cache deterministic answers (default true)
 * @param ttlSeconds how long an answer stays (default 600)
 * @param maxEntries how many answers at most (default 10000)
 * @param perKey answers are only replayed to the API key that paid for them (default true)
 */
public record CacheConfig(Boolean enabled, Long ttlSeconds, Long maxEntries, Boolean perKey) {
    public static final CacheConfig DEFAULTS = new CacheConfig(null, null, null, null);

    public CacheConfig {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        ttlSeconds = ttlSeconds == null ? 600L : ttlSeconds;
        maxEntries = maxEntries == null ? 10_000L : maxEntries;
        perKey = perKey == null ? Boolean.TRUE : perKey;
        if (ttlSeconds < 1 || maxEntries < 1) {
            throw new IllegalArgumentException("cache.ttlSeconds and cache.maxEntries must be >= 1");
        }
    }
}
