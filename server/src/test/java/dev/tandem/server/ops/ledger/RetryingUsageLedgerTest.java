package dev.tandem.server.ops.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.server.fakes.Await;
import dev.tandem.server.fakes.TestPostgres;
import dev.tandem.server.ops.Postgres;
import dev.tandem.server.ops.StoreCalls;
import dev.tandem.server.ops.StoreObserver;
import dev.tandem.server.ops.StoreUnavailableException;
import dev.tandem.testkit.LocalPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No ledger row is lost when the shared store goes away after the answer was sent: on a PostgreSQL
 * server of its own, stopped as a crash would stop it and started again, every row ends up in the
 * store exactly once, its cost counted once, whether it waited in memory or in the pending file
 * across a restart.
 */
class RetryingUsageLedgerTest {
    @TempDir
    Path dir;
    LocalPostgres pg;
    HikariDataSource pool;
    final List<UsageLedger> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        pg = LocalPostgres.start();
        pool = Postgres.open(TestPostgres.settings(pg.createDatabase("pending"), 30_000), "pending");
    }

    @AfterEach
    void stop() {
        opened.forEach(UsageLedger::close);
        pool.close();
        pg.close();
    }

    private Path pendingFile() {
        return dir.resolve("tandem.db.pending-ledger.jsonl");
    }

    private RetryingUsageLedger ledger(int capacity) {
        RetryingUsageLedger l = new RetryingUsageLedger(new PostgresUsageLedger(new StoreCalls(pool, StoreObserver.NONE)), pendingFile(),
                capacity);
        opened.add(l);
        return l;
    }

    private static UsageRecord row(String requestId, double cost) {
        return UsageRecord.builder(Instant.parse("2026-12-06T21:00:00Z"), requestId)
                .withKeyId("key_p").withDialect("openai").withModel("gpt-4o").withBackend("openai", "primary")
                .withTokens(10, 2).withTimes(3L, 7).withCostUsd(cost).build();
    }

    /** Reads the store through a ledger of its own (no queue in between). */
    private UsageLedger store() {
        return new PostgresUsageLedger(new StoreCalls(pool, StoreObserver.NONE));
    }

    private boolean storeAnswers() {
        try {
            store().rows(null, null, 1);
            return true;
        } catch (StoreUnavailableException stillBroken) {
            return false;
        }
    }

    @Test
    void rowsWrittenWhileTheStoreIsAwayArriveOnceWhenItComesBack() throws Exception {
        RetryingUsageLedger ledger = ledger(100);
        ledger.record(row("before", 0.25));

        // Given the store gone after two requests were answered
        pg.stop();
        ledger.record(row("after-1", 0.25));
        ledger.record(row("after-2", 0.5));
        // Then their rows wait, and nothing is thrown at the request that was answered
        assertThat(ledger.waiting()).isEqualTo(2);

        // When the store comes back
        pg.restart();
        // Then they are written by themselves, each once, in order, and their cost counted once
        Await.until(() -> ledger.waiting() == 0, "the waiting rows written");
        assertThat(store().rows(null, null, 10)).extracting(UsageRecord::requestId).containsExactly("before", "after-1", "after-2");
        assertThat(store().spentUsd("key_p")).isCloseTo(1.0, Offset.offset(1e-9));
        assertThat(pendingFile()).doesNotExist();
    }

    @Test
    void rowsWaitingAtACleanStopOrPastTheQueueAreWrittenAtTheNextStart() throws Exception {
        // Given a queue of one row, and the store away while three rows come
        RetryingUsageLedger ledger = ledger(1);
        pg.stop();
        ledger.record(row("queued", 0.25));
        ledger.record(row("spilled-1", 0.25));
        ledger.record(row("spilled-2", 0.25));
        // Then one waits in memory, the others in the pending file
        assertThat(ledger.waiting()).isEqualTo(1);
        assertThat(Files.readAllLines(pendingFile(), StandardCharsets.UTF_8)).hasSize(2);

        // When the replica stops cleanly while the store is still away
        ledger.close();
        opened.remove(ledger);
        // Then the waiting row joins the file
        assertThat(Files.readAllLines(pendingFile(), StandardCharsets.UTF_8)).hasSize(3);

        // and one of them had in fact reached the store before (its answer lost): the file repeats it
        pg.restart();
        // (the pool may still hold connections the stop broke: each failed call drops one, until one answers)
        Await.until(this::storeAnswers, "the store back");
        UsageRecord landed = row("landed-before", 0.25);
        store().record(landed);
        Files.writeString(pendingFile(), RetryingUsageLedger.toJson(landed) + "\n", java.nio.file.StandardOpenOption.APPEND);

        // When the replica starts again
        ledger(100);
        // Then every row is in the store exactly once, costs counted once, and the file is gone
        assertThat(store().rows(null, null, 10)).extracting(UsageRecord::requestId)
                .containsExactlyInAnyOrder("landed-before", "queued", "spilled-1", "spilled-2");
        assertThat(store().spentUsd("key_p")).isCloseTo(1.0, Offset.offset(1e-9));
        assertThat(pendingFile()).doesNotExist();
    }

    @Test
    void aRowSurvivesTheFileRoundTripUnchanged() throws Exception {
        UsageRecord r = row("round-trip", 0.125).toBuilder().withTimes(null, 12).build();
        assertThat(RetryingUsageLedger.fromJson(RetryingUsageLedger.toJson(r))).isEqualTo(r);
    }
}
