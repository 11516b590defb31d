package dev.tandem.server.ops.cache;

import dev.tandem.server.core.InferenceEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Answers in a Redis that replicas share ({@code cache.kind: redis}), under
 * {@code tandem:answer:<SHA-256 of the canonical request>}, each for {@code cache.ttlSeconds}; answers
 * larger than {@code cache.redis.maxAnswerBytes} are not kept. Redis failing never fails a request: a
 * lookup that fails is a miss, a write that fails is dropped; each failure is counted, and logged at
 * WARN at most once a minute; a lost connection drops the pool's idle ones too (a restarted Redis
 * costs one miss, not one per pooled connection) and rests the store for a second (an unreachable
 * Redis costs one request a timeout, not every request). Writes go out on one background thread, so no
 * backend's thread waits for Redis; an answer is not written (and is counted as dropped) when that thread's
 * queue is full or Redis is resting, so a write queued before Redis went away does not wait out a timeout.
 */
final class RedisAnswerStore implements AnswerStore {
    static final String PREFIX = "tandem:answer:";
    private static final Logger log = LoggerFactory.getLogger(RedisAnswerStore.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** After a lost connection, Redis is left alone this long: an unreachable one costs one request a timeout, not each. */
    private static final long REST_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Writes waiting for the writer thread; more are dropped (Redis slower than answers finish). */
    static final int WRITE_QUEUE = 256;

    private final RedisClient redis;
    private final String where;
    private final long ttlMs;
    private final int maxAnswerBytes;
    private final AnswerStoreEvents events;
    private final ThreadPoolExecutor writer;
    private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private volatile long restUntil = System.nanoTime();

    RedisAnswerStore(CacheConfig config, AnswerStoreEvents events) {
        RedisSettings settings = config.redis();
        URI uri = settings.uri();
        this.where = RedisSettings.masked(settings.url());
        this.ttlMs = TimeUnit.SECONDS.toMillis(config.ttlSeconds());
        this.maxAnswerBytes = settings.maxAnswerBytes();
        this.events = events;
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(settings.connectTimeoutMs())
                .socketTimeoutMillis(settings.timeoutMs())
                .user(JedisURIHelper.getUser(uri))
                .password(JedisURIHelper.getPassword(uri))
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                .clientName("tandem");
        if (JedisURIHelper.hasDbIndex(uri)) {
            client.database(JedisURIHelper.getDBIndex(uri));
        }
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(16);
        pool.setMaxWait(Duration.ofMillis(settings.connectTimeoutMs())); // never queue a request behind a stuck pool
        this.redis = RedisClient.builder().hostAndPort(JedisURIHelper.getHostAndPort(uri)).clientConfig(client.build())
                .poolConfig(pool).build();
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(WRITE_QUEUE), r -> {
            Thread t = new Thread(r, "tandem-cache-redis-writer");
            t.setDaemon(true);
            return t;
        }, (write, executor) -> events.writeDropped().run());
        log.info("answer cache shared through Redis at {}", where);
    }

    @Override
    public List<InferenceEvent> find(CacheKey key) {
        if (resting()) {
            return null;
        }
        byte[] stored;
        try {
            stored = redis.get(redisKey(key));
        } catch (RuntimeException e) {
            failed("read", e);
            return null;
        }
        if (stored == null) {
            return null;
        }
        try {
            return AnswerCodec.decode(stored);
        } catch (IOException | RuntimeException e) {
            failed("decode", e); // written by another version, or not by Tandem: a miss
            return null;
        }
    }

    @Override
    public void keep(CacheKey key, List<InferenceEvent> answer) {
        byte[] json = AnswerCodec.encode(answer);
        if (json.length > maxAnswerBytes) {
            return; // by configuration, not a loss
        }
        byte[] redisKey = redisKey(key);
        writer.execute(() -> {
            if (resting()) {
                events.writeDropped().run();
                return;
            }
            try {
                redis.set(redisKey, json, SetParams.setParams().px(ttlMs));
            } catch (RuntimeException e) {
                failed("write", e);
            }
        });
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        redis.close();
    }

    private boolean resting() {
        return System.nanoTime() - restUntil < 0;
    }

    private static byte[] redisKey(CacheKey key) {
        return (PREFIX + key.digest()).getBytes(StandardCharsets.UTF_8);
    }

    private void failed(String what, Exception e) {
        events.failed().run();
        if (e instanceof JedisConnectionException) {
            // Redis went away (or restarted): the idle connections are dead too; drop them now rather
            // than fail one request for each, and leave Redis alone for a moment
            redis.getPool().clear();
            restUntil = System.nanoTime() + REST_NANOS;
        }
        long last = lastWarn.get();
        long now = System.nanoTime();
        if (now - last >= WARN_EVERY_NANOS && lastWarn.compareAndSet(last, now)) {
            log.warn("answer cache: Redis {} failed at {}, serving uncached (logged at most once a minute): {}", what, where,
                    e.toString());
        }
    }
}
