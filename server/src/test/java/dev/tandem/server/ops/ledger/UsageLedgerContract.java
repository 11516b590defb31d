package dev.tandem.server.ops.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.RouteReason;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.ops.ObservingBackend;
import dev.tandem.server.ops.ScriptedBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every ledger must do, written once and run on each store (SQLite, PostgreSQL): rows written
 * through the {@link LedgerWriter} for every way a request ends, priced, grouped into totals, summed
 * into a key's spend.
 */
abstract class UsageLedgerContract {
    @TempDir
    Path dir;
    UsageLedger ledger;
    PriceTable prices = new PriceTable(Map.of("claude-x", new PriceTable.Price(3.0, 15.0)));

    /** A new, empty ledger in this store. */
    abstract UsageLedger open(Path dir);

    @BeforeEach
    void open() {
        ledger = open(dir);
    }

    @AfterEach
    void close() {
        ledger.close();
    }

    private Backend observed(Backend inner) {
        return new ObservingBackend(inner, List.of(new LedgerWriter(ledger, prices)));
    }

    private static Caller key(String id) {
        return new Caller(id, null, Caller.Limits.NONE);
    }

    @Test
    void aRowWrittenAgainIsStoredOnceAndCostsOnce() {
        // Given a priced row written once, and then again (a retry whose first answer was lost)
        UsageRecord row = UsageRecord.builder(Instant.parse("2026-12-06T10:00:00Z"), "req-retried")
                .withKeyId("key_r").withDialect("openai").withModel("claude-x").withBackend("anthropic", "primary")
                .withTokens(1000, 100).withTimes(5L, 9).withCostUsd(0.5).build();
        ledger.record(row);
        ledger.record(row);
        // and another row of the same request under its own id (a second, distinct outcome)
        ledger.record(row.toBuilder().withId("another-id").build());

        // Then the first is there once, with its id, and counted once in the spend
        List<UsageRecord> rows = ledger.rows(null, null, 10);
        assertThat(rows).containsExactly(row, row.toBuilder().withId("another-id").build());
        assertThat(ledger.spentUsd("key_r")).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void localRequestWritesOneFreeRowWithTokensAndTimes() {
        List<InferenceEvent> seen = new ArrayList<>();
        observed(ScriptedBackend.answering("local", "codellama", "hello", 7))
                .start(Requests.chat("codellama", "hi").withCaller(key("key_a")).build(), seen::add);

        List<UsageRecord> rows = ledger.rows(null, null, 10);
        assertThat(rows).hasSize(1);
        UsageRecord r = rows.get(0);
        assertThat(r.keyId()).isEqualTo("key_a");
        assertThat(r.dialect()).isEqualTo("openai");
        assertThat(r.model()).isEqualTo("codellama");
        assertThat(r.backend()).isEqualTo("local");
        assertThat(r.route()).isEqualTo("primary");
        assertThat(r.promptTokens()).isEqualTo(7);
        assertThat(r.completionTokens()).isEqualTo(5);
        assertThat(r.timeToFirstTokenMs()).isNotNull().isLessThanOrEqualTo(r.totalMs());
        assertThat(r.status()).isEqualTo("ok");
        assertThat(r.costUsd()).isZero();
        assertThat(seen).hasSize(7);
    }

    @Test
    void remoteRequestIsPricedByTheServedModel() {
        // Given the caller asked for "auto" and Claude served it
        observed(ScriptedBackend.answering("anthropic", "claude-x", "ok", 1_000_000))
                .start(Requests.chat("auto", "hi").withCaller(key("key_r")).build(), e -> {});
        UsageRecord r = ledger.rows(null, null, 10).get(0);
        // Then cost = 1M input * $3/M + 2 output * $15/M
        assertThat(r.model()).isEqualTo("auto");
        assertThat(r.backend()).isEqualTo("anthropic");
        assertThat(r.costUsd()).isEqualTo(3.0 + 2 * 15.0 / 1_000_000);
        assertThat(ledger.spentUsd("key_r")).isEqualTo(r.costUsd());
    }

    @Test
    void cacheHitIsRecordedFree() {
        observed(ScriptedBackend.scripted("anthropic", req -> {
            List<InferenceEvent> ev = new ArrayList<>(ScriptedBackend.answer("anthropic", "claude-x", "ok", 10));
            ev.set(0, ((InferenceEvent.Started) ev.get(0)).withRoute(RouteReason.CACHE));
            return ev;
        })).start(Requests.chat("claude-x", "hi").withCaller(key("key_c")).build(), e -> {});
        UsageRecord r = ledger.rows(null, null, 10).get(0);
        assertThat(r.route()).isEqualTo("cache");
        assertThat(r.costUsd()).isZero();
        assertThat(r.status()).isEqualTo("ok");
    }

    @Test
    void failureBeforeStartAndMidStreamEachWriteOneRow() {
        ApiException saturated = new ApiException(ErrorKind.OVERLOADED, "queue full");
        assertThatThrownBy(() -> observed(ScriptedBackend.refusing("local", saturated))
                .start(Requests.chat("m", "hi").withCaller(key("key_f")).build(), e -> {})).isSameAs(saturated);

        observed(ScriptedBackend.scripted("openai", req -> List.of(
                new InferenceEvent.Started("openai", "gpt-x", 4, RouteReason.SATURATED),
                new InferenceEvent.TextDelta("a", null),
                new InferenceEvent.Failed(new ApiException(ErrorKind.UPSTREAM, "reset")))))
                .start(Requests.chat("m", "hi").withCaller(key("key_f")).build(), e -> {});

        List<UsageRecord> rows = ledger.rows(null, null, 10);
        assertThat(rows).extracting(UsageRecord::status).containsExactly("overloaded", "upstream");
        assertThat(rows.get(0).backend()).isEqualTo("none");
        assertThat(rows.get(0).timeToFirstTokenMs()).isNull();
        assertThat(rows.get(1).backend()).isEqualTo("openai");
        assertThat(rows.get(1).route()).isEqualTo("saturated");
        assertThat(rows.get(1).promptTokens()).isEqualTo(4);
        assertThat(rows.get(1).completionTokens()).isEqualTo(1);
    }

    @Test
    void cancelledRequestWritesOneRowEvenIfTheBackendFinishesLater() {
        ScriptedBackend inner = ScriptedBackend.holdingOpen("local",
                req -> ScriptedBackend.answer("local", "m", "abc", 3));
        Backend.Call call = observed(inner).start(Requests.chat("m", "hi").withCaller(key("key_x")).build(), e -> {});
        call.cancel();
        call.cancel();
        // a late terminal event from the engine is not a second row
        inner.lastSink.accept(new InferenceEvent.Finished(dev.tandem.server.core.StopReason.END_TURN,
                new dev.tandem.server.core.TokenUsage(3, 3), null));

        assertThat(inner.cancels.get()).isEqualTo(2);
        List<UsageRecord> rows = ledger.rows(null, null, 10);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).status()).isEqualTo("cancelled");
        assertThat(rows.get(0).completionTokens()).isEqualTo(3);
    }

    @Test
    void totalsGroupByDayKeyModelBackendAndFilterByTime() {
        Instant day1 = LocalDate.of(2026, 1, 1).atTime(10, 0).toInstant(ZoneOffset.UTC);
        Instant day2 = day1.plusSeconds(86_400);
        ledger.record(row(day1, "k1", "m", "local", 1, 2, 0));
        ledger.record(row(day1.plusSeconds(60), "k1", "m", "local", 3, 4, 0));
        ledger.record(row(day1, "k2", "c", "anthropic", 5, 6, 0.5));
        ledger.record(row(day2, "k1", "m", "local", 7, 8, 0));

        assertThat(ledger.totals(null, null)).containsExactly(
                UsageTotal.builder(LocalDate.of(2026, 1, 1), "k1", "m", "local")
                        .withRequests(2)
                        .withTokens(4, 6)
                        .withCostUsd(0)
                        .build(),
                UsageTotal.builder(LocalDate.of(2026, 1, 1), "k2", "c", "anthropic")
                        .withRequests(1)
                        .withTokens(5, 6)
                        .withCostUsd(0.5)
                        .build(),
                UsageTotal.builder(LocalDate.of(2026, 1, 2), "k1", "m", "local")
                        .withRequests(1)
                        .withTokens(7, 8)
                        .withCostUsd(0)
                        .build());
        assertThat(ledger.totals(day2, null)).hasSize(1);
        assertThat(ledger.totals(null, day2)).hasSize(2);
        assertThat(ledger.spentUsd("k2")).isEqualTo(0.5);
    }

    private static UsageRecord row(Instant t, String key, String model, String backend, int in, int out, double cost) {
        return UsageRecord.builder(t, "r")
                .withKeyId(key)
                .withDialect("openai")
                .withModel(model)
                .withBackend(backend, "primary")
                .withTokens(in, out)
                .withTimes(1L, 2L)
                .withStatus("ok")
                .withCostUsd(cost)
                .build();
    }
}
