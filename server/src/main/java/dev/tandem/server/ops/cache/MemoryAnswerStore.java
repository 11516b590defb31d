package dev.tandem.server.ops.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tandem.server.core.InferenceEvent;
import java.time.Duration;
import java.util.List;

/** Answers in this replica's memory, at most {@code cache.maxEntries}, each for {@code cache.ttlSeconds}. */
final class MemoryAnswerStore implements AnswerStore {
    private final Cache<CacheKey, List<InferenceEvent>> answers;

    MemoryAnswerStore(CacheConfig config) {
        this(config, Ticker.systemTicker());
    }

    MemoryAnswerStore(CacheConfig config, Ticker ticker) {
        this.answers = Caffeine.newBuilder()
                .ticker(ticker)
                .expireAfterWrite(Duration.ofSeconds(config.ttlSeconds()))
                .maximumSize(config.maxEntries())
                .build();
    }

    @Override
    public List<InferenceEvent> find(CacheKey key) {
        return answers.getIfPresent(key);
    }

    @Override
    public void keep(CacheKey key, List<InferenceEvent> answer) {
        answers.put(key, List.copyOf(answer));
    }

    @Override
    public void close() {
        answers.invalidateAll();
    }
}
