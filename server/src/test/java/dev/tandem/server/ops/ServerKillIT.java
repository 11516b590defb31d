package dev.tandem.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.ops.keys.KeySpec;
import dev.tandem.server.ops.keys.SqliteKeyStore;
import dev.tandem.server.ops.ledger.SqliteUsageLedger;
import dev.tandem.server.ops.ledger.UsageRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
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
 * The real server ({@link Main}, engine on a tiny generated checkpoint, both dialect edges) under
 * HTTP load is killed with SIGKILL: every request that was answered has its ledger row, the database
 * passes its integrity check, and a restarted server still knows the key and the usage.
 */
class ServerKillIT {
    private static final String MASTER = "master-for-the-kill-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    /** Every server process this test started, killed at the end whatever happened. */
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void answeredRequestsAreAllInTheLedgerAfterKillMinusNine() throws Exception {
        Path db = dir.resolve("tandem.db");
        Path config = writeConfig(db);
        String secret;
        try (SqliteKeyStore keys = new SqliteKeyStore(db)) {
            secret = keys.create(KeySpec.builder("load").build()).secret();
        }
        ChildServer server = startServer(config);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();

        // Given four clients sending requests as fast as they can, two per dialect, each auth form
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String id = "c" + client + "-" + i;
                    try {
                        HttpResponse<String> r = http.send(ChildServer.request(server.port(), client % 2 == 0, secret, id),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            answered.add(id);
                        }
                    } catch (Exception e) {
                        return; // the server is gone
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        // When the server is killed hard mid-load
        // (after 80 answers, or 15 s if it has the 20 asserted below: a busy machine only waits longer)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long generous = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while ((answered.size() < 80 && System.nanoTime() < deadline) || (answered.size() < 20 && System.nanoTime() < generous)) {
            Thread.sleep(10);
        }
        server.process().destroyForcibly();
        assertThat(server.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread t : clients) {
            t.join(10_000);
        }
        assertThat(answered).as("answered before the kill").hasSizeGreaterThanOrEqualTo(20);

        // Then the file is intact and every answered request has its row, as the server wrote it
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                ResultSet r = c.createStatement().executeQuery("PRAGMA integrity_check")) {
            r.next();
            assertThat(r.getString(1)).isEqualTo("ok");
        }
        try (SqliteUsageLedger ledger = new SqliteUsageLedger(db)) {
            Map<String, UsageRecord> rows = ledger.rows(null, null, Integer.MAX_VALUE).stream()
                    .collect(Collectors.toMap(UsageRecord::requestId, r -> r, (a, b) -> a));
            assertThat(rows.keySet()).containsAll(answered);
            UsageRecord one = rows.get(answered.iterator().next());
            assertThat(one.backend()).isEqualTo("local");
            assertThat(one.status()).isEqualTo("ok");
            assertThat(one.completionTokens()).isPositive();
        }

        // And a restarted server keeps serving the same key and reports the usage from before the kill
        ChildServer again = startServer(config);
        try {
            HttpResponse<String> r = http.send(ChildServer.request(again.port(), false, secret, "after-restart"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            HttpResponse<String> usage = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + again.port() + "/v1/usage"))
                    .header("authorization", "Bearer " + MASTER).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(usage.statusCode()).isEqualTo(200);
            long requests = 0;
            for (JsonNode total : JSON.readTree(usage.body()).get("data")) {
                requests += total.get("requests").asLong();
            }
            assertThat(requests).isGreaterThanOrEqualTo(answered.size() + 1L);
        } finally {
            again.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The operator's YAML: a generated tiny checkpoint, this test's database, no cache (every request runs the engine). */
    private Path writeConfig(Path db) throws Exception {
        return ChildServer.writeConfig(dir, MASTER, """
                ledger: {database: "%s"}
                cache: {enabled: false}
                logging: {level: INFO}
                """.formatted(db));
    }

    private ChildServer startServer(Path config) throws Exception {
        ChildServer server = ChildServer.start(config, dir);
        started.add(server.process());
        return server;
    }
}
