package dev.tandem.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankOnOneToHundredMilliseconds() {
        // Given 1..100 ms in shuffled order
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = ((i * 37) % 100 + 1) * 1_000_000L;
        }
        // When summarised
        Percentiles p = Percentiles.ofNanos(nanos);
        // Then the nearest-rank percentiles are the 50th, 95th and 99th values
        assertThat(p.count()).isEqualTo(100);
        assertThat(p.p50()).isEqualTo(50.0);
        assertThat(p.p95()).isEqualTo(95.0);
        assertThat(p.p99()).isEqualTo(99.0);
        assertThat(p.max()).isEqualTo(100.0);
        assertThat(p.mean()).isEqualTo(50.5);
    }

    @Test
    void addedLatencyIsThePercentileDifference() {
        Percentiles via = Percentiles.ofNanos(new long[] {3_000_000, 4_000_000});
        Percentiles direct = Percentiles.ofNanos(new long[] {1_000_000, 1_500_000});
        assertThat(via.minus(direct).p50()).isEqualTo(2.0);
        assertThat(via.minus(direct).p99()).isEqualTo(2.5);
    }

    @Test
    void recorderKeepsCountingPastItsCapacity() {
        LatencyRecorder r = new LatencyRecorder(2);
        r.record(1);
        r.record(2);
        r.record(3);
        assertThat(r.seen()).isEqualTo(3);
        assertThat(r.percentiles().count()).isEqualTo(2);
        assertThat(Percentiles.ofNanos(new long[0]).count()).isZero();
    }
}
