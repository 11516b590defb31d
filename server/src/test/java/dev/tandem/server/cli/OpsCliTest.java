package dev.tandem.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.ops.keys.SqliteKeyStore;
import dev.tandem.server.ops.ledger.SqliteUsageLedger;
import dev.tandem.server.ops.ledger.UsageRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpsCliTest {
    @TempDir
    Path dir;

    record Result(int status, String out, String err) {}

    Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--db";
        all[args.length + 1] = dir.resolve("t.db").toString();
        int status = OpsCli.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void createListRevokeRoundTrip() {
        Result created = cli("keys", "create", "--name", "ci", "--policy", "local-only", "--models", "a,b", "--rpm", "30");
        assertThat(created.status()).isZero();
        String secret = created.out().lines().filter(l -> l.startsWith("key: ")).findFirst().orElseThrow().substring(5);
        String id = created.out().lines().findFirst().orElseThrow().split(" ")[1];

        try (SqliteKeyStore store = new SqliteKeyStore(dir.resolve("t.db"))) {
            assertThat(store.findBySecret(secret).orElseThrow().id()).isEqualTo(id);
        }
        Result list = cli("keys", "list");
        assertThat(list.out()).contains(id).contains("local-only").contains("a,b").contains("30").doesNotContain(secret);

        assertThat(cli("keys", "revoke", id).status()).isZero();
        assertThat(cli("keys", "revoke", "key_nope").status()).isEqualTo(1);
        try (SqliteKeyStore store = new SqliteKeyStore(dir.resolve("t.db"))) {
            assertThat(store.findById(id).orElseThrow().isRevoked()).isTrue();
        }
    }

    @Test
    void usagePrintsTotalsAsATable() {
        try (SqliteUsageLedger ledger = new SqliteUsageLedger(dir.resolve("t.db"))) {
            ledger.record(UsageRecord.builder(Instant.parse("2026-03-01T10:00:00Z"), "r1")
                    .withKeyId("key_a")
                    .withDialect("openai")
                    .withModel("claude-x")
                    .withBackend("anthropic", "primary")
                    .withTokens(100, 20)
                    .withTimes(5L, 50L)
                    .withStatus("ok")
                    .withCostUsd(0.25)
                    .build());
            ledger.record(UsageRecord.builder(Instant.parse("2026-03-02T10:00:00Z"), "r2")
                    .withKeyId("key_a")
                    .withDialect("openai")
                    .withModel("claude-x")
                    .withBackend("anthropic", "primary")
                    .withTokens(1, 2)
                    .withTimes(5L, 50L)
                    .withStatus("ok")
                    .withCostUsd(0.5)
                    .build());
        }
        Result all = cli("usage");
        assertThat(all.out()).contains("2026-03-01").contains("2026-03-02").contains("0.750000");
        Result oneDay = cli("usage", "--from", "2026-03-02");
        assertThat(oneDay.out()).doesNotContain("2026-03-01").contains("TOTAL");
        assertThat(cli("usage", "--from", "yesterday").status()).isEqualTo(2);
    }

    @Test
    void theDatabaseComesFromTheConfigurationWhenNotGiven() throws Exception {
        Path config = dir.resolve("tandem.yaml");
        java.nio.file.Files.writeString(config, "ledger:\n  database: " + dir.resolve("from-config.db") + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = OpsCli.run(new String[] {"keys", "create", "--name", "cfg", "--config", config.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()), Map.of());
        assertThat(status).isZero();
        try (SqliteKeyStore store = new SqliteKeyStore(dir.resolve("from-config.db"))) {
            assertThat(store.list()).extracting(k -> k.name()).containsExactly("cfg");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"keys --help", "keys -h", "keys create --help", "keys create --name x --help", "keys list --help",
        "keys revoke --help", "usage --help", "usage -h"})
    void helpIsPrintedForEveryCommandWithoutTouchingTheDatabase(String command) {
        // Guards `keys --help`, which said "--help needs a value"
        Result r = cli(command.split(" "));
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("tandem keys create --name NAME").contains("tandem keys revoke KEY_ID").contains("tandem usage");
        assertThat(r.err()).isEmpty();
        assertThat(dir.resolve("t.db")).doesNotExist();
    }

    @Test
    void badCommandsPrintUsage() {
        Result r = cli("keys", "frobnicate");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("tandem keys create");
        assertThat(cli("keys", "create", "--name", "x", "--rpm", "many").err()).contains("--rpm must be a whole number");
    }
}
