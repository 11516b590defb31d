package dev.tandem.server.ops.cache;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where the answer cache keeps its answers. */
public enum CacheKind {
    /** In this replica's memory (the default): each replica has its own answers. */
    MEMORY,
    /** In Redis ({@code cache.redis.url}): every replica configured with it shares them. */
    REDIS;

    @JsonCreator
    public static CacheKind parse(String name) {
        for (CacheKind k : values()) {
            if (k.wireName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("cache.kind must be memory or redis, was " + name);
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
