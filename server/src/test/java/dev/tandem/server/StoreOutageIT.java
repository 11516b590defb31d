package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.Engines;
import dev.tandem.server.fakes.Await;
import dev.tandem.server.fakes.TestPostgres;
import dev.tandem.server.ops.PostgresSettings;
import dev.tandem.server.ops.ledger.UsageRecord;
import dev.tandem.testkit.LocalPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared store goes away under load (its own PostgreSQL server, stopped as a crash would stop
 * it) and comes back: requests that start meanwhile are refused with a 503 in their dialect, never
 * served unchecked; /ready says the store is down; every row committed before is still there after,
 * and the rows of requests answered as the store went away arrive once it is back, each once; and the
 * replica serves again once the store is back, without a restart.
 */
class StoreOutageIT {
    static final String MASTER = "master-outage-" + System.nanoTime();
    @TempDir
    Path dir;
    LocalPostgres pg;
    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    static HttpResponse<String> ask(TestServer on, String key, boolean anthropic, String id) {
        String body = "{\"model\":\"tiny\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi " + id + "\"}]}";
        return anthropic
                ? on.post("/v1/messages", body, "x-api-key", key, "anthropic-version", "2023-06-01", "x-request-id", id)
                : on.post("/v1/chat/completions", body, "authorization", "Bearer " + key, "x-request-id", id);
    }

    @Test
    void limitsFailClosedWhileTheStoreIsAwayAndServiceResumesWhenItReturns() throws Exception {
        pg = LocalPostgres.start();
        PostgresSettings store = TestPostgres.settings(pg.createDatabase("outage"), 30_000);
        server = TestServer.start(dir, Map.of("auth.enabled", "true", "auth.masterKey", MASTER, "store.kind", "postgres",
                "store.postgres.url", store.url(), "store.postgres.user", store.user(),
                "store.postgres.connectTimeoutMs", Long.toString(store.connectTimeoutMs()),
                "store.postgres.queryTimeoutMs", Long.toString(store.queryTimeoutMs())),
                TestServer.longContext(), Engines::open, true);
        HttpResponse<String> created = server.post("/admin/keys", "{\"name\":\"load\",\"rpm\":100000,\"maxConcurrent\":8}",
                "authorization", "Bearer " + MASTER);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String key = TestServer.json(created.body()).get("key").asText();
        HttpResponse<String> createdPlain = server.post("/admin/keys", "{\"name\":\"no-limits\"}", "authorization", "Bearer " + MASTER);
        String plain = TestServer.json(createdPlain.body()).get("key").asText();
        assertThat(ask(server, plain, false, "plain-before").statusCode()).isEqualTo(200);

        // Given two clients sending requests without pause, one per dialect; each answer is kept with
        // the phase its request started in (0: store up, 1: store away, 2: store back)
        AtomicInteger phase = new AtomicInteger();
        List<Set<String>> answered = List.of(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
        List<HttpResponse<String>> refusedWhileAway = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            boolean anthropic = c == 1;
            Thread t = new Thread(() -> {
                while (!done.get()) {
                    int startedIn = phase.get();
                    String id = "outage-" + sent.incrementAndGet();
                    HttpResponse<String> r = ask(server, key, anthropic, id);
                    if (r.statusCode() == 200) {
                        answered.get(startedIn).add(id);
                    } else if (startedIn == 1) {
                        refusedWhileAway.add(r);
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        Await.until(() -> answered.get(0).size() >= 20, "20 answers before the outage");

        // When the store stops at once, as a crash would stop it
        Set<String> committedBefore = Set.copyOf(answered.get(0)); // answered before the store went
        pg.stop();
        phase.set(1);
        Await.until(() -> refusedWhileAway.size() >= 6, "refusals while the store is away");

        // Then requests that started meanwhile were refused with 503 in their dialect, none served unchecked
        assertThat(answered.get(1)).as("answered while the store was away").isEmpty();
        for (HttpResponse<String> r : refusedWhileAway) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            JsonNode error = TestServer.json(r.body());
            if (error.has("type")) {
                assertThat(error.at("/error/type").asText()).isEqualTo("api_error");
            } else {
                assertThat(error.at("/error/code").asText()).isEqualTo("service_unavailable");
            }
            assertThat(error.toString()).contains("shared store is unavailable");
            assertThat(r.headers().firstValue("retry-after")).isPresent();
        }
        // and so is a key without limits or budget (its key is re-read, and nothing could be ledgered)
        HttpResponse<String> plainWhileAway = ask(server, plain, false, "plain-while-away");
        assertThat(plainWhileAway.statusCode()).as(plainWhileAway.body()).isEqualTo(503);
        // and /ready takes the replica out of rotation
        HttpResponse<String> ready = server.get("/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(TestServer.json(ready.body()).at("/store/status").asText()).isEqualTo("down");

        // When the store comes back
        pg.restart();
        phase.set(2);
        // Then the replica serves again by itself
        Await.until(() -> answered.get(2).size() >= 10, "answers after the store came back");
        done.set(true);
        for (Thread t : clients) {
            t.join(30_000);
        }
        assertThat(server.get("/ready").statusCode()).isEqualTo(200);
        // and every request answered has its ledger row exactly once: those committed before the outage,
        // those whose answer went out as the store went away (their rows waited for it), and those since
        Set<String> answeredAll = new java.util.HashSet<>(committedBefore);
        answered.forEach(answeredAll::addAll);
        Await.until(() -> requestIds(server).containsAll(answeredAll), "a ledger row for every answered request");
        List<String> ids = requestIds(server);
        assertThat(ids).doesNotHaveDuplicates();
    }

    private static List<String> requestIds(TestServer on) {
        return on.tandem().ops().ledger().rows(null, null, Integer.MAX_VALUE).stream().map(UsageRecord::requestId).toList();
    }
}
