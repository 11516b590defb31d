package dev.tandem.server.ops.cache;

import dev.tandem.server.core.InferenceEvent;
import java.util.List;

/**
 * Where finished answers are kept by their request: in this replica's memory, or in a Redis that
 * replicas share. A store that cannot be reached behaves as an empty one: the cache is an
 * optimisation, and never fails a request.
 */
public interface AnswerStore extends AutoCloseable {

    /** The answer kept for {@code key}, or null. */
    List<InferenceEvent> find(CacheKey key);

    /** Keeps a finished answer (Started … Finished) for {@code key}, for {@code cache.ttlSeconds}. */
    void keep(CacheKey key, List<InferenceEvent> answer);

    @Override
    void close();

    /** The store {@code config.kind} names. */
    static AnswerStore open(CacheConfig config, AnswerStoreEvents events) {
        return switch (config.kind()) {
            case MEMORY -> new MemoryAnswerStore(config);
            case REDIS -> new RedisAnswerStore(config, events);
        };
    }
}
