package dev.tandem.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.bench.http.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverflowReportTest {

    private static Outcome outcome(long firstByteMs, long firstTokenMs, String backend, String route) {
        return new Outcome(200, firstByteMs * 1_000_000, firstTokenMs * 1_000_000, (firstTokenMs + 5) * 1_000_000,
                16, 16, null, null, backend, route);
    }

    @Test
    void onlyOverflowedProbesCountAndTheAddedTimeIsThePercentileDifference() {
        // Given 100 probes that overflowed (first token 12 ms) and 10 served locally (first token 500 ms)
        List<Outcome> via = new ArrayList<>();
        for (int i = 0; i < 100; i++) via.add(outcome(11, 12, "openai", "saturated"));
        for (int i = 0; i < 10; i++) via.add(outcome(400, 500, "local", "primary"));
        // and the fake's own first token at 10 ms
        List<Outcome> own = new ArrayList<>();
        for (int i = 0; i < 100; i++) own.add(outcome(9, 10, null, null));
        // When reported
        String md = OverflowLatency.report(via, own, 4);
        // Then the local ones are left out and 2 ms is added at p50
        assertThat(md).contains("100 of 110 probes overflowed");
        assertThat(md).contains("added first-token p50 2.00 ms (not met)");
        assertThat(md).contains("200 local/primary=10").contains("200 openai/saturated=100");
    }

    @Test
    void saysSoWhenNothingOverflowed() {
        String md = OverflowLatency.report(List.of(outcome(400, 500, "local", "primary")), List.of(outcome(9, 10, null, null)), 4);
        assertThat(md).contains("No probe was routed as `saturated`");
    }
}
