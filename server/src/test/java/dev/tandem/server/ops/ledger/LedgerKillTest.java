package dev.tandem.server.ops.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerKillTest {
    @TempDir
    Path dir;

    @Test
    void everyCommittedRowSurvivesKillMinusNine() throws Exception {
        // Given a child JVM writing ledger rows in a loop
        Path db = dir.resolve("ledger.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // (stdout goes to a file: destroying a process closes its pipes, and we read after the kill)
        Path out = dir.resolve("child.out");
        Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                LedgerChildProcess.class.getName(), db.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(out.toFile())
                .start();
        // When it has reported 400 commits, it is killed hard mid-write
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (completeLines(out).size() < 400 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        child.destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Set<String> committed = new HashSet<>();
        for (String line : completeLines(out)) {
            committed.add(line.substring("committed ".length()));
        }
        assertThat(committed).hasSizeGreaterThanOrEqualTo(400);

        // Then the reopened database is intact and holds every reported row
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                ResultSet r = c.createStatement().executeQuery("PRAGMA integrity_check")) {
            r.next();
            assertThat(r.getString(1)).isEqualTo("ok");
        }
        try (SqliteUsageLedger ledger = new SqliteUsageLedger(db)) {
            Set<String> stored = ledger.rows(null, null, Integer.MAX_VALUE).stream()
                    .map(UsageRecord::requestId).collect(Collectors.toSet());
            assertThat(stored).containsAll(committed);
            // and it keeps working after the restart
            ledger.record(UsageRecord.builder(Instant.now(), "after")
                    .withKeyId("k")
                    .withDialect("openai")
                    .withModel("m")
                    .withBackend("local", "primary")
                    .withTokens(1, 1)
                    .withTimes(null, 1)
                    .withStatus("ok")
                    .withCostUsd(0)
                    .build());
            assertThat(ledger.rows(null, null, Integer.MAX_VALUE)).hasSize(stored.size() + 1);
        }
    }

    /** Lines ending in a newline: a line cut by the kill was never reported. */
    private static List<String> completeLines(Path file) throws java.io.IOException {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    }
}
