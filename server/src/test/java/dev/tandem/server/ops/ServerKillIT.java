package dev.tandem.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.ops.keys.KeySpec;
import dev.tandem.server.ops.keys.SqliteKeyStore;
import dev.tandem.server.ops.ledger.SqliteUsageLedger;
import dev.tandem.server.ops.ledger.UsageRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server process under HTTP load is killed with SIGKILL: every request that was answered has its
 * ledger row, the database passes its integrity check, and a restarted process keeps writing.
 */
class ServerKillIT {
    @TempDir
    Path dir;

    @Test
    void answeredRequestsAreAllInTheLedgerAfterKillMinusNine() throws Exception {
        Path db = dir.resolve("tandem.db");
        String secret;
        try (SqliteKeyStore keys = new SqliteKeyStore(db)) {
            secret = keys.create(KeySpec.named("load")).secret();
        }
        Server server = startServer(db);
        int port = awaitPort(server);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();

        // Given four clients sending requests as fast as they can
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String id = "c" + client + "-" + i;
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                                .header("authorization", "Bearer " + secret).header("x-request-id", id)
                                .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200 && r.body().equals("done")) {
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (answered.size() < 150 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        server.process().destroyForcibly();
        assertThat(server.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread t : clients) {
            t.join(10_000);
        }
        assertThat(answered).hasSizeGreaterThanOrEqualTo(50);

        // Then the file is intact and every answered request has its row
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                ResultSet r = c.createStatement().executeQuery("PRAGMA integrity_check")) {
            r.next();
            assertThat(r.getString(1)).isEqualTo("ok");
        }
        try (SqliteUsageLedger ledger = new SqliteUsageLedger(db)) {
            Set<String> rows = ledger.rows(null, null, Integer.MAX_VALUE).stream()
                    .map(UsageRecord::requestId).collect(Collectors.toSet());
            assertThat(rows).containsAll(answered);
        }

        // And a restarted server keeps serving the same key and writing the same ledger
        Server again = startServer(db);
        try {
            int port2 = awaitPort(again);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port2 + "/v1/chat/completions"))
                    .header("x-api-key", secret).header("x-request-id", "after-restart")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        } finally {
            again.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (SqliteUsageLedger ledger = new SqliteUsageLedger(db)) {
            assertThat(ledger.rows(null, null, Integer.MAX_VALUE)).extracting(UsageRecord::requestId).contains("after-restart");
        }
    }

    /** A server process and the file its output goes to. */
    private record Server(Process process, Path out) {}

    private Server startServer(Path db) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("server-" + System.nanoTime() + ".out");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                OpsServerChild.class.getName(), db.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        return new Server(p, out);
    }

    private static int awaitPort(Server s) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(s.out(), StandardCharsets.UTF_8)) {
                if (line.startsWith("port ")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
            if (!s.process().isAlive()) {
                throw new IllegalStateException("server process died: " + Files.readString(s.out()));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("server did not start");
    }
}
