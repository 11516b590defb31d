package dev.tandem.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.Engines;
import dev.tandem.server.TestServer;
import dev.tandem.server.fakes.Await;
import dev.tandem.server.fakes.TestPostgres;
import dev.tandem.server.ops.ledger.UsageRecord;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas on one PostgreSQL under load, one of them a child JVM killed with SIGKILL: every
 * request it answered has its ledger row in the shared store, and the other replica keeps serving
 * the same key throughout.
 */
class ReplicaKillIT {
    private static final String MASTER = "master-replica-kill";

    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();
    private TestServer survivor;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (survivor != null) {
            survivor.close();
        }
    }

    @Test
    void aReplicaKilledUnderLoadLosesNoCommittedRowAndTheOtherKeepsServing() throws Exception {
        String url = TestPostgres.server().createDatabase("kill");
        // Given a replica in this JVM and one in a child JVM, on the same database
        survivor = TestServer.start(dir.resolve("survivor"), Map.of("auth.enabled", "true", "auth.masterKey", MASTER,
                "store.kind", "postgres", "store.postgres.url", url, "store.postgres.user", "postgres"));
        HttpResponse<String> created = survivor.post("/admin/keys", "{\"name\":\"load\",\"maxConcurrent\":16}",
                "authorization", "Bearer " + MASTER);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String secret = TestServer.json(created.body()).get("key").asText();
        ChildServer victim = ChildServer.start(writeConfig(url), dir);
        started.add(victim.process());

        // and clients on both: two on the victim (one per dialect), one on the survivor
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Set<String> answeredByVictim = ConcurrentHashMap.newKeySet();
        Set<String> answeredBySurvivor = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            int client = c;
            int port = c < 2 ? victim.port() : survivor.tandem().port();
            Set<String> answered = c < 2 ? answeredByVictim : answeredBySurvivor;
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String id = "k" + client + "-" + i;
                    try {
                        HttpResponse<String> r = http.send(ChildServer.request(port, client == 1, secret, id), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            answered.add(id);
                        }
                    } catch (Exception e) {
                        if (client < 2) {
                            return; // the victim is gone
                        }
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        Await.until(() -> answeredByVictim.size() >= 30, "30 answers from the victim");

        // When the child replica is killed hard mid-load
        assertThat(victim.kill()).isTrue();
        int survivorBefore = answeredBySurvivor.size();

        // Then the survivor keeps answering the same key
        Await.until(() -> answeredBySurvivor.size() >= survivorBefore + 10, "the survivor's answers after the kill");
        stop.set(true);
        for (Thread t : clients) {
            t.join(30_000);
        }
        // and every request either replica answered has its row in the shared ledger
        Map<String, UsageRecord> rows = survivor.tandem().ops().ledger().rows(null, null, Integer.MAX_VALUE).stream()
                .collect(Collectors.toMap(UsageRecord::requestId, r -> r, (a, b) -> a));
        assertThat(rows.keySet()).containsAll(answeredByVictim).containsAll(answeredBySurvivor);
        UsageRecord one = rows.get(answeredByVictim.iterator().next());
        assertThat(one.status()).isEqualTo("ok");
        assertThat(one.backend()).isEqualTo("local");
    }

    /** The child replica's YAML: a generated tiny checkpoint, the shared store, no cache. */
    private Path writeConfig(String url) throws Exception {
        return ChildServer.writeConfig(dir, MASTER, """
                store: {kind: postgres, postgres: {url: "%s", user: postgres, poolSize: 4}}
                cache: {enabled: false}
                logging: {level: INFO}
                """.formatted(url));
    }
}
