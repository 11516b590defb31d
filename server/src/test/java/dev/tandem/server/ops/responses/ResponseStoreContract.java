package dev.tandem.server.ops.responses;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.core.StoredResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every response store must do, written once and run on each store (SQLite, PostgreSQL): per key,
 * items found by id, deleted with their items, pruned by count and by age, kept across restarts.
 */
abstract class ResponseStoreContract {
    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-08-21T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    final ManualClock clock = new ManualClock();

    /** A store on this test's database (empty at the test's first open, the same one at the next), moved by {@code clock}. */
    abstract ResponseStore open(ResponsesConfig config, Clock clock);

    /** How many responses {@code store} keeps now, expired ones not yet pruned included. */
    abstract int size(ResponseStore store);

    ResponseStore open(int maxStored, int maxAgeHours) {
        return open(new ResponsesConfig(maxStored, maxAgeHours), clock);
    }

    static StoredResponse response(String id, String owner) {
        return new StoredResponse(id, owner, "{\"id\":\"" + id + "\"}",
                List.of(new StoredResponse.Item("msg_in_" + id, "{\"type\":\"message\",\"text\":\"question " + id + "\"}")),
                List.of(new StoredResponse.Item("msg_out_" + id, "{\"type\":\"message\",\"text\":\"answer " + id + "\"}"),
                        new StoredResponse.Item("fc_" + id, "{\"type\":\"function_call\"}")));
    }

    @Test
    void aResponseComesBackWholeToItsOwnerOnly() {
        try (ResponseStore store = open(100, 24)) {
            // Given a response of key A
            store.put(response("resp_1", "key-a"));

            // Then A finds it, with its items in order; B finds nothing, not even its items
            StoredResponse found = store.get("key-a", "resp_1").orElseThrow();
            assertThat(found).isEqualTo(response("resp_1", "key-a"));
            assertThat(store.get("key-b", "resp_1")).isEmpty();
            assertThat(store.item("key-a", "fc_resp_1").orElseThrow().json()).isEqualTo("{\"type\":\"function_call\"}");
            assertThat(store.item("key-a", "msg_in_resp_1")).isPresent();
            assertThat(store.item("key-b", "fc_resp_1")).isEmpty();
            assertThat(store.delete("key-b", "resp_1")).isFalse();
        }
    }

    @Test
    void deletingTakesTheItemsWithIt() {
        try (ResponseStore store = open(100, 24)) {
            store.put(response("resp_1", "key-a"));

            assertThat(store.delete("key-a", "resp_1")).isTrue();

            assertThat(store.get("key-a", "resp_1")).isEmpty();
            assertThat(store.item("key-a", "fc_resp_1")).isEmpty();
            assertThat(store.delete("key-a", "resp_1")).isFalse();
        }
    }

    @Test
    void beyondTheCountTheOldestGoFirst() {
        try (ResponseStore store = open(3, 24)) {
            // Given five responses, a second apart, in a store that keeps three
            for (int i = 1; i <= 5; i++) {
                store.put(response("resp_" + i, i % 2 == 0 ? "key-a" : "key-b"));
                clock.advance(Duration.ofSeconds(1));
            }

            // Then the three newest are kept, whoever owns them, and the items of the others are gone
            assertThat(size(store)).isEqualTo(3);
            assertThat(store.get("key-b", "resp_1")).isEmpty();
            assertThat(store.get("key-a", "resp_2")).isEmpty();
            assertThat(store.item("key-a", "fc_resp_2")).isEmpty();
            assertThat(store.get("key-b", "resp_3")).isPresent();
            assertThat(store.get("key-a", "resp_4")).isPresent();
            assertThat(store.get("key-b", "resp_5")).isPresent();
        }
    }

    @Test
    void pastTheAgeAResponseIsNeverFoundAndIsPrunedAtTheNextPut() {
        try (ResponseStore store = open(100, 2)) {
            // Given a response stored three hours before now, in a store that keeps two hours
            store.put(response("resp_old", "key-a"));
            clock.advance(Duration.ofHours(3));

            // Then it is gone for every reader before any pruning ran
            assertThat(size(store)).isEqualTo(1);
            assertThat(store.get("key-a", "resp_old")).isEmpty();
            assertThat(store.item("key-a", "fc_resp_old")).isEmpty();
            assertThat(store.delete("key-a", "resp_old")).isFalse();

            // And the next put removes it
            store.put(response("resp_new", "key-a"));
            assertThat(size(store)).isEqualTo(1);
            assertThat(store.get("key-a", "resp_new")).isPresent();
        }
    }

    @Test
    void responsesOutliveARestart() {
        try (ResponseStore store = open(100, 24)) {
            store.put(response("resp_1", "key-a"));
        }
        try (ResponseStore store = open(100, 24)) {
            assertThat(store.get("key-a", "resp_1")).contains(response("resp_1", "key-a"));
        }
    }
}
