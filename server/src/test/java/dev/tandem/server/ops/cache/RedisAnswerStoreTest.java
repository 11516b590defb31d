package dev.tandem.server.ops.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.testkit.LocalRedis;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.util.stream.IntStream;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/** The Redis store on a real Redis: what it keeps, for how long, what it refuses to keep, and bad entries. */
class RedisAnswerStoreTest {
    static LocalRedis redis;
    static RedisClient client;
    final AtomicInteger errors = new AtomicInteger();
    final AtomicInteger dropped = new AtomicInteger();
    final AnswerStoreEvents events = new AnswerStoreEvents(errors::incrementAndGet, dropped::incrementAndGet);

    @BeforeAll
    static void start() {
        redis = LocalRedis.start(null);
        client = RedisClient.create(URI.create(redis.url()));
    }

    @AfterAll
    static void stop() {
        client.close();
        redis.close();
    }

    RedisAnswerStore store(int maxAnswerBytes) {
        CacheConfig config = Defaults.CONFIG.cache().toBuilder().withKind(CacheKind.REDIS).withTtlSeconds(120)
                .withRedis(new RedisSettings(redis.url(), 250, 250, maxAnswerBytes)).build();
        return new RedisAnswerStore(config, events);
    }

    static CacheKey key(String text) {
        return CacheKey.of(CachingBackendTest.greedy(text, "key_a"), true);
    }

    static List<InferenceEvent> answer(String text) {
        return List.of(new InferenceEvent.Started("local", "tiny", 3), new InferenceEvent.TextDelta(text, null),
                new InferenceEvent.Finished(StopReason.END_TURN, new TokenUsage(3, 1), null));
    }

    static void awaitKey(String redisKey) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!client.exists(redisKey)) {
            assertThat(System.nanoTime()).as("waiting for " + redisKey).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aKeptAnswerIsFoundByAnotherStoreWithItsTtl() throws Exception {
        try (RedisAnswerStore one = store(1 << 20); RedisAnswerStore other = store(1 << 20)) {
            one.keep(key("kept"), answer("hello"));
            String redisKey = RedisAnswerStore.PREFIX + key("kept").digest();
            awaitKey(redisKey);

            assertThat(other.find(key("kept"))).isEqualTo(answer("hello"));
            assertThat(other.find(key("never kept"))).isNull();
            assertThat(client.pttl(redisKey)).isBetween(1L, 120_000L);
            assertThat(errors).hasValue(0);
        }
    }

    @Test
    void anAnswerLargerThanTheBoundIsNotKept() throws Exception {
        try (RedisAnswerStore store = store(1024)) {
            store.keep(key("huge"), answer("x".repeat(2000)));
            store.keep(key("small"), answer("y"));
            awaitKey(RedisAnswerStore.PREFIX + key("small").digest()); // written after the huge one, on the same thread

            assertThat(client.exists(RedisAnswerStore.PREFIX + key("huge").digest())).isFalse();
            assertThat(store.find(key("huge"))).isNull();
        }
    }

    @Test
    void anEntryNotWrittenByTandemIsAMissAndCounted() {
        try (RedisAnswerStore store = store(1 << 20)) {
            client.set(RedisAnswerStore.PREFIX + key("garbage").digest(), "{\"not\":\"an answer\"}");
            assertThat(store.find(key("garbage"))).isNull();
            assertThat(errors).hasValue(1);
        }
    }

    @Test
    void anUnreachableRedisIsAMissAndCounted() {
        CacheConfig config = Defaults.CONFIG.cache().toBuilder().withKind(CacheKind.REDIS)
                .withRedis(new RedisSettings("redis://127.0.0.1:1", 250, 250, 1 << 20)).build();
        try (RedisAnswerStore store = new RedisAnswerStore(config, events)) {
            assertThat(store.find(key("anything"))).isNull();
            assertThat(errors).hasValue(1);
        }
    }

    @Test
    void answersBeyondAStalledWriterAreDroppedAndCountedNeverLostUnaccounted() throws Exception {
        int answers = RedisAnswerStore.WRITE_QUEUE + 50;
        try (RedisAnswerStore store = store(1 << 20)) {
            // Redis stops answering writes for a second: the writer thread waits on its first SET (then times
            // out and rests), so the queue fills and what comes after it is dropped
            client.sendCommand(Protocol.Command.CLIENT, "PAUSE", "1000", "WRITE");
            for (int i = 0; i < answers; i++) {
                store.keep(key("stalled " + i), answer("a" + i));
            }
            // Every answer ends one way: written, dropped, or a failed write; none is lost uncounted
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (written(answers) + dropped.get() + errors.get() < answers) {
                assertThat(System.nanoTime()).as("waiting for the writer to drain").isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(dropped.get()).as("dropped").isGreaterThanOrEqualTo(answers - RedisAnswerStore.WRITE_QUEUE - 1);
            assertThat(written(answers) + dropped.get() + errors.get()).isEqualTo(answers);
        } finally {
            client.sendCommand(Protocol.Command.CLIENT, "UNPAUSE"); // the next test's writes must not wait
        }
    }

    static int written(int answers) {
        return (int) IntStream.range(0, answers)
                .filter(i -> client.exists(RedisAnswerStore.PREFIX + key("stalled " + i).digest())).count();
    }
}
