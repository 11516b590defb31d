package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.models.Engines;
import dev.tandem.server.fakes.TestPostgres;
import dev.tandem.server.ops.PostgresSettings;
import dev.tandem.server.ops.ledger.PriceTable;
import dev.tandem.server.ops.ledger.UsageRecord;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeUpstream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Tandem servers (each with its own pool, engine and port) on one real PostgreSQL, as replicas
 * behind a load balancer: a key made on one works on all, per-key limits and the spend budget hold
 * across them as on one server, a revocation counts at once on every replica (though each remembers
 * which key a secret is for {@code store.keyCacheMs}), the ledger holds exactly what was answered, and a
 * stored response of the Responses API is found, continued and deleted through any replica.
 */
class MultiReplicaIT {
    static final String MASTER = "master-replicas-" + System.nanoTime();
    static final String CLAUDE = "claude-sonnet-4-5";
    /** Longer than the test: a revocation must not wait for the cache. */
    static final long KEY_CACHE_MS = 600_000;
    @TempDir
    static Path dir;
    static FakeAnthropic anthropic;
    static final List<TestServer> replicas = new ArrayList<>();

    @BeforeAll
    static void start() {
        anthropic = new FakeAnthropic();
        // 1000 prompt + 2 completion tokens of claude-sonnet-4-5 at $3 / $15 per million: $0.00303 a request
        anthropic.answerByDefault(FakeUpstream.Answer.text("from ", "claude").withUsage(1000, 2));
        PostgresSettings pg = TestPostgres.freshDatabase("replicas");
        for (int i = 0; i < 3; i++) {
            Map<String, String> settings = new HashMap<>(Map.of(
                    "auth.enabled", "true", "auth.masterKey", MASTER,
                    "store.kind", "postgres", "store.keyCacheMs", Long.toString(KEY_CACHE_MS),
                    "store.postgres.url", pg.url(), "store.postgres.user", pg.user(), "store.postgres.password", pg.password(),
                    "remotes.anthropic.baseUrl", anthropic.baseUrl(), "remotes.anthropic.apiKey", anthropic.apiKey()));
            replicas.add(TestServer.start(dir.resolve("replica-" + i), settings, TestServer.longContext(), Engines::open, true));
        }
    }

    @AfterAll
    static void stop() {
        replicas.forEach(TestServer::close);
        anthropic.close();
    }

    static TestServer replica(int i) {
        return replicas.get(i % replicas.size());
    }

    static String createKey(TestServer on, String body) {
        HttpResponse<String> r = on.post("/admin/keys", body, "authorization", "Bearer " + MASTER);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return TestServer.json(r.body()).get("key").asText();
    }

    static String idOf(TestServer on, String name) {
        for (JsonNode k : TestServer.json(on.get("/admin/keys", "x-api-key", MASTER).body()).get("data")) {
            if (k.get("name").asText().equals(name)) {
                return k.get("id").asText();
            }
        }
        throw new AssertionError("no key named " + name);
    }

    static HttpResponse<String> chat(TestServer on, String key, String model, String requestId) {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":"
                + TextNode.valueOf("hi " + requestId) + "}]}";
        return on.post("/v1/chat/completions", body, "authorization", "Bearer " + key, "x-request-id", requestId);
    }

    static List<UsageRecord> rowsOfKey(String keyId) {
        return replica(0).tandem().ops().ledger().rows(null, null, Integer.MAX_VALUE).stream()
                .filter(r -> r.keyId().equals(keyId)).toList();
    }

    @Test
    void aKeyCreatedThroughOneReplicaWorksOnTheOthers() {
        String key = createKey(replica(0), "{\"name\":\"made-on-0\"}");
        for (int i = 1; i < 3; i++) {
            HttpResponse<String> r = chat(replica(i), key, TestServer.MODEL, "made-on-0-used-on-" + i);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        // and every replica lists it
        for (int i = 0; i < 3; i++) {
            assertThat(replica(i).get("/admin/keys", "x-api-key", MASTER).body()).contains("made-on-0");
        }
    }

    @Test
    void aKeyWithTenRequestsAMinuteGetsTenAcrossTheThree() {
        // Given a key allowed 10 requests a minute (refilled one every 6 s)
        String key = createKey(replica(0), "{\"name\":\"rpm10\",\"rpm\":10}");
        String id = idOf(replica(0), "rpm10");
        // When 30 requests go round-robin to the three replicas
        long t0 = System.nanoTime();
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < 30; i++) {
            int status = chat(replica(i), key, TestServer.MODEL, "rpm10-" + i).statusCode();
            if (status == 200) {
                ok++;
            } else if (status == 429) {
                limited++;
            }
        }
        long elapsed = System.nanoTime() - t0;
        // Then 10 succeed, as on one server: each token refilled while the burst ran may add one (a burst
        // on a busy machine may outlast a refill; the first 10 are the bucket's capacity)
        long refilled = TimeUnit.NANOSECONDS.toSeconds(elapsed) / 6;
        assertThat(ok).as("successes in %d ms", TimeUnit.NANOSECONDS.toMillis(elapsed)).isBetween(10, (int) (10 + refilled));
        if (refilled == 0) {
            assertThat(ok).isEqualTo(10);
        }
        assertThat(ok + limited).isEqualTo(30);
        // and the ledger holds each answer and each refusal once
        List<UsageRecord> rows = rowsOfKey(id);
        assertThat(rows).filteredOn(r -> r.status().equals("ok")).hasSize(ok);
        assertThat(rows).filteredOn(r -> r.status().equals("rate_limited")).hasSize(limited);
    }

    @Test
    void aBudgetIsNeverOverspentByMoreThanOneRequestAcrossTheReplicas() {
        // Given a key with a $0.01 budget for remote models
        double budget = 0.01;
        double perRequest = new PriceTable(Map.of(CLAUDE, new PriceTable.Price(3.0, 15.0))).cost("anthropic", CLAUDE, 1000, 2);
        String key = createKey(replica(1), "{\"name\":\"budget\",\"budgetUsd\":" + budget + "}");
        String id = idOf(replica(1), "budget");
        // When Claude is asked round-robin through the three replicas until the budget refuses
        int answered = 0;
        List<Integer> refusedOn = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = chat(replica(i), key, CLAUDE, "budget-" + i);
            if (r.statusCode() == 200) {
                answered++;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                assertThat(TestServer.json(r.body()).at("/error/code").asText()).isEqualTo("insufficient_quota");
                refusedOn.add(i % 3);
            }
        }
        // Then the spend passed the budget by less than one request, and every replica refused afterwards
        double spent = rowsOfKey(id).stream().mapToDouble(UsageRecord::costUsd).sum();
        assertThat(spent).isGreaterThanOrEqualTo(budget).isLessThan(budget + perRequest);
        assertThat(answered).isEqualTo((int) Math.ceil(budget / perRequest));
        assertThat(refusedOn).containsAll(List.of(0, 1, 2));
        assertThat(replica(2).tandem().ops().ledger().spentUsd(id)).isCloseTo(spent, org.assertj.core.data.Offset.offset(1e-9));
        // and the ledger sums equal what was answered: one priced row per answer
        assertThat(rowsOfKey(id)).filteredOn(r -> r.status().equals("ok")).hasSize(answered)
                .allSatisfy(r -> assertThat(r.costUsd()).isCloseTo(perRequest, org.assertj.core.data.Offset.offset(1e-12)));
        long usageRequests = 0;
        for (JsonNode t : TestServer.json(replica(0).get("/v1/usage", "x-api-key", MASTER).body()).get("data")) {
            if (t.get("keyId").asText().equals(id) && t.get("backend").asText().equals("anthropic")) {
                usageRequests += t.get("requests").asLong();
            }
        }
        assertThat(usageRequests).isEqualTo(answered);
    }

    @Test
    void aKeyRevokedOnOneReplicaIsRefusedByAllAtOnceThoughTheyRememberItsSecret() {
        // Given a key every replica has just served (so each remembers its secret, for longer than this test)
        String key = createKey(replica(2), "{\"name\":\"to-revoke\"}");
        String id = idOf(replica(2), "to-revoke");
        for (int i = 0; i < 3; i++) {
            assertThat(chat(replica(i), key, TestServer.MODEL, "before-revoke-" + i).statusCode()).isEqualTo(200);
        }
        // When it is revoked through replica 1
        assertThat(replica(1).send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(replica(1).baseUrl() + "/admin/keys/" + id))
                .header("x-api-key", MASTER).DELETE().build()).statusCode()).isEqualTo(200);
        // Then every replica refuses it from the next request on: the gate re-reads the key by id
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = chat(replica(i), key, TestServer.MODEL, "after-revoke-" + i);
            assertThat(r.statusCode()).as("replica %d: %s", i, r.body()).isEqualTo(401);
            assertThat(r.body()).contains("revoked");
            HttpResponse<String> tokens = replica(i).post("/tokenize", "{\"model\":\"tiny\",\"prompt\":\"a\"}", "authorization", "Bearer " + key);
            assertThat(tokens.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aResponseStoredThroughOneReplicaIsContinuedAndDeletedThroughTheOthers() {
        // Given a response stored through replica 0
        String key = createKey(replica(0), "{\"name\":\"responses\"}");
        String other = createKey(replica(0), "{\"name\":\"responses-other\"}");
        HttpResponse<String> first = replica(0).post("/v1/responses",
                "{\"model\":\"" + TestServer.MODEL + "\",\"input\":\"first question\",\"max_output_tokens\":2}",
                "authorization", "Bearer " + key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String id = TestServer.json(first.body()).get("id").asText();

        // Then replica 1 returns it as it was answered, and not to another key
        HttpResponse<String> got = replica(1).get("/v1/responses/" + id, "authorization", "Bearer " + key);
        assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
        assertThat(TestServer.json(got.body()).get("output")).isEqualTo(TestServer.json(first.body()).get("output"));
        assertThat(replica(1).get("/v1/responses/" + id, "authorization", "Bearer " + other).statusCode()).isEqualTo(404);
        // and replica 2 continues it, its input items those of the first response and the new question
        HttpResponse<String> second = replica(2).post("/v1/responses", "{\"model\":\"" + TestServer.MODEL
                + "\",\"input\":\"second question\",\"max_output_tokens\":2,\"previous_response_id\":\"" + id + "\"}",
                "authorization", "Bearer " + key);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(TestServer.json(second.body()).get("previous_response_id").asText()).isEqualTo(id);
        HttpResponse<String> items = replica(0).get("/v1/responses/" + id + "/input_items", "authorization", "Bearer " + key);
        assertThat(items.statusCode()).as(items.body()).isEqualTo(200);
        assertThat(items.body()).contains("first question");

        // When replica 1 deletes it, then no replica finds it
        HttpResponse<String> deleted = replica(1).send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(replica(1).baseUrl() + "/v1/responses/" + id)).header("authorization", "Bearer " + key).DELETE().build());
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(replica(i).get("/v1/responses/" + id, "authorization", "Bearer " + key).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void everyReplicaIsReadyAndSaysItsStoreIsUp() {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = replica(i).get("/ready");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(TestServer.json(r.body()).at("/store/status").asText()).isEqualTo("up");
            assertThat(TestServer.json(r.body()).at("/store/detail").asText()).startsWith("postgres jdbc:postgresql://");
        }
        // and the store's calls are measured
        assertThat(replica(0).get("/metrics", "authorization", "Bearer " + MASTER).body()).contains("tandem_store_operation_seconds_count{operation=\"ledger.record\"}");
    }
}
