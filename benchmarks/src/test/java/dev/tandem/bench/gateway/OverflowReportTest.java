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
    void onlyOverflowedProbesCountAndTheDecisionIsMeasuredAgainstTheNamedRemote() {
        // Given 100 probes that overflowed (first token 12 ms) and 10 served locally (first token 500 ms)
        List<Outcome> via = new ArrayList<>();
        for (int i = 0; i < 100; i++) via.add(outcome(11, 12, "openai", "saturated"));
        for (int i = 0; i < 10; i++) via.add(outcome(400, 500, "local", "primary"));
        // and the remote model named through Tandem at 11.5 ms, the fake's own first token at 10 ms
        List<Outcome> named = new ArrayList<>();
        List<Outcome> own = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            named.add(new Outcome(200, 11_000_000, 11_500_000, 16_500_000, 16, 16, null, null, "openai", "primary"));
            own.add(outcome(9, 10, null, null));
        }
        // When reported
        String md = OverflowLatency.report(via, named, own, 4);
        // Then the local ones are left out; the decision adds 0.5 ms, the whole detour 2 ms
        assertThat(md).contains("100 of 110 probes overflowed");
        assertThat(md).contains("p50 0.50 ms (met)");
        assertThat(md).contains("adds p50 2.00 ms");
        assertThat(md).contains("200 local/primary=10").contains("200 openai/saturated=100");
        assertThat(OverflowLatency.figures(via, named, own)).containsEntry("decisionFirstTokenP50", 0.5)
                .containsEntry("addedFirstTokenP50", 2.0).containsEntry("overflowed", 100);
    }

    @Test
    void saysSoWhenNothingOverflowed() {
        Outcome local = outcome(400, 500, "local", "primary");
        String md = OverflowLatency.report(List.of(local), List.of(outcome(9, 10, "openai", "primary")), List.of(outcome(9, 10, null, null)), 4);
        assertThat(md).contains("No probe was routed as `saturated`");
    }
}
