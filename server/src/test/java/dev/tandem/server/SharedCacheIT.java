package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.models.Engines;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.fakes.TestPostgres;
import dev.tandem.server.ops.PostgresSettings;
import dev.tandem.server.ops.ledger.UsageRecord;
import dev.tandem.testkit.LocalRedis;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * Two Tandem servers (each with its own engine) sharing one real Redis ({@code cache.kind: redis}) and
 * one PostgreSQL store, as replicas behind a load balancer: an answer made through one is replayed by
 * the other without its engine running, the same bytes; a stopped Redis costs requests nothing but the
 * cache; and a revoked key is refused by every replica even while its answer is cached.
 */
class SharedCacheIT {
    static final String MASTER = "master-shared-cache-" + System.nanoTime();
    static final String REDIS_PASSWORD = "redis-pw-" + System.nanoTime();
    @TempDir
    static Path dir;
    static LocalRedis redis;
    static final List<TestServer> replicas = new ArrayList<>();

    @BeforeAll
    static void start() {
        redis = LocalRedis.start(REDIS_PASSWORD);
        PostgresSettings pg = TestPostgres.freshDatabase("sharedcache");
        for (int i = 0; i < 2; i++) {
            Map<String, String> settings = new HashMap<>(Map.of(
                    "auth.enabled", "true", "auth.masterKey", MASTER,
                    "store.kind", "postgres",
                    "store.postgres.url", pg.url(), "store.postgres.user", pg.user(), "store.postgres.password", pg.password(),
                    "cache.enabled", "true", "cache.kind", "redis", "cache.redis.url", redis.url()));
            replicas.add(TestServer.start(dir.resolve("replica-" + i), settings));
        }
    }

    @AfterAll
    static void stop() {
        replicas.forEach(TestServer::close);
        redis.close();
    }

    static TestServer a() {
        return replicas.get(0);
    }

    static TestServer b() {
        return replicas.get(1);
    }

    static String createKey(String name) {
        HttpResponse<String> r = a().post("/admin/keys", "{\"name\":\"" + name + "\"}", "authorization", "Bearer " + MASTER);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return TestServer.json(r.body()).get("key").asText();
    }

    static HttpResponse<String> greedy(TestServer on, String key, String prompt, String requestId) {
        String body = "{\"model\":\"" + TestServer.MODEL + "\",\"max_tokens\":6,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":"
                + TextNode.valueOf(prompt) + "}]}";
        return on.post("/v1/chat/completions", body, "authorization", "Bearer " + key, "x-request-id", requestId);
    }

    static long engineRuns(TestServer on) {
        return on.engine().kvStats().prefixQueriedTokens();
    }

    static boolean cached(HttpResponse<String> r) {
        return r.headers().firstValue("x-tandem-cache").orElse("").equals("hit");
    }

    static long answersInRedis() {
        return answers().size();
    }

    /** Redis's answers by key, through a new connection (one kept across a Redis restart would be dead). */
    static Map<String, String> answers() {
        try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
            Map<String, String> all = new HashMap<>();
            client.keys("tandem:answer:*").forEach(k -> all.put(k, client.get(k)));
            return all;
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static double metric(TestServer on, String name) {
        String text = on.get("/metrics", "authorization", "Bearer " + MASTER).body();
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void anAnswerMadeThroughOneReplicaIsReplayedByTheOtherWithoutItsEngine() throws Exception {
        // Given a greedy answer made through replica A (its engine ran) and kept in Redis
        String key = createKey("shared-answer");
        long before = answersInRedis();
        long aRuns = engineRuns(a());
        HttpResponse<String> first = greedy(a(), key, "tell me about otters", "shared-1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(cached(first)).isFalse();
        assertThat(engineRuns(a())).isGreaterThan(aRuns);
        await("the answer in Redis", () -> answersInRedis() > before);

        // When the same request (another request id) goes to replica B
        long bRuns = engineRuns(b());
        HttpResponse<String> second = greedy(b(), key, "tell me about otters", "shared-2");

        // Then B replays it from Redis: its engine ran nothing, the answer and usage are the same
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(cached(second)).isTrue();
        assertThat(engineRuns(b())).isEqualTo(bRuns);
        JsonNode one = TestServer.json(first.body());
        JsonNode two = TestServer.json(second.body());
        assertThat(two.at("/choices/0/message/content").asText()).isNotEmpty().isEqualTo(one.at("/choices/0/message/content").asText());
        assertThat(two.at("/choices/0/finish_reason")).isEqualTo(one.at("/choices/0/finish_reason"));
        assertThat(two.get("usage")).isEqualTo(one.get("usage"));
        // and the shared ledger marks B's answer as served by the cache
        UsageRecord row = a().tandem().ops().ledger().rows(null, null, Integer.MAX_VALUE).stream()
                .filter(r -> r.requestId().equals("shared-2")).findFirst().orElseThrow();
        assertThat(row.route()).isEqualTo("cache");
        // and what Redis holds is the answer, not the caller's secret
        assertThat(answers().values()).allSatisfy(v -> assertThat(v).doesNotContain(key).doesNotContain("shared-1"));
    }

    @Test
    void aRevokedKeyIsRefusedByTheOtherReplicaWhileItsAnswerIsCached() throws Exception {
        // Given a key whose greedy answer is cached in Redis
        String key = createKey("to-revoke");
        long before = answersInRedis();
        assertThat(greedy(a(), key, "a cached secret plan", "revoke-1").statusCode()).isEqualTo(200);
        await("the answer in Redis", () -> answersInRedis() > before);
        HttpResponse<String> replay = greedy(b(), key, "a cached secret plan", "revoke-2");
        assertThat(cached(replay)).as("B replays it before the revocation").isTrue();

        // When the key is revoked through replica A
        String id = a().tandem().ops().keys().list().stream().filter(k -> k.name().equals("to-revoke")).findFirst().orElseThrow().id();
        assertThat(a().send(HttpRequest.newBuilder(URI.create(a().baseUrl() + "/admin/keys/" + id))
                .header("x-api-key", MASTER).DELETE().build()).statusCode()).isEqualTo(200);

        // Then replica B refuses it at once, cached answer or not: the gate runs before the cache
        HttpResponse<String> after = greedy(b(), key, "a cached secret plan", "revoke-3");
        assertThat(after.statusCode()).as(after.body()).isEqualTo(401);
        assertThat(after.body()).contains("revoked");
    }

    @Test
    void withRedisStoppedRequestsAreServedUncached() throws Exception {
        String key = createKey("redis-down");
        double errorsBefore = metric(a(), "tandem_cache_store_errors_total");
        redis.stop();
        try {
            // When Redis is gone, the same greedy request twice through A: both answered, neither from a cache
            for (int i = 0; i < 2; i++) {
                long runs = engineRuns(a());
                HttpResponse<String> r = greedy(a(), key, "while redis sleeps", "down-" + i);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(cached(r)).isFalse();
                assertThat(engineRuns(a())).isGreaterThan(runs);
            }
            // and the failures are counted
            assertThat(metric(a(), "tandem_cache_store_errors_total")).isGreaterThan(errorsBefore);
        } finally {
            redis.startAgain();
        }
        // Then, Redis back, the cache works again by itself: each replica's dead connections cost it a
        // miss and a second's rest, after which A keeps its answer and B replays it
        int[] sent = {0};
        await("A serving its own answer from Redis again", () ->
                cached(greedy(a(), key, "after redis woke", "up-a-" + ++sent[0])));
        await("B replaying it", () -> cached(greedy(b(), key, "after redis woke", "up-b-" + ++sent[0])));
    }

    @Test
    void theRedisPasswordIsMaskedInTheConfigurationDump() {
        String dump = ConfigLoader.describeMasked(ConfigLoader.load(null, Map.of(), Map.of("cache.redis.url", redis.url())));
        assertThat(dump).doesNotContain(REDIS_PASSWORD).contains("redis://:****@127.0.0.1:" + redis.port());
    }
}
