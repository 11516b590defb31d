package dev.tandem.bench.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BandwidthProbeTest {

    @Test
    void measuresAPositiveFiniteRateOnASmallRegionWithOneAndTwoThreads() throws Exception {
        // Given a 64 MiB region (small: this is a smoke check, not a measurement)
        try (BandwidthProbe probe = new BandwidthProbe(64L << 20)) {
            assertThat(probe.bytes()).isEqualTo(64L << 20);
            for (int threads = 1; threads <= 2; threads++) {
                // When measured
                BandwidthProbe.Result r = probe.measure(threads, 3);
                // Then it reports GB/s ordered worst <= median <= best
                assertThat(r.threads()).isEqualTo(threads);
                assertThat(r.medianGBs()).isPositive().isFinite();
                assertThat(r.worstGBs()).isLessThanOrEqualTo(r.medianGBs());
                assertThat(r.bestGBs()).isGreaterThanOrEqualTo(r.medianGBs());
            }
        }
    }

    @Test
    void regionsSpanningSeveralChunksAreCountedWhole() {
        try (BandwidthProbe probe = new BandwidthProbe((256L << 20) + (8L << 20))) {
            assertThat(probe.bytes()).isEqualTo((256L << 20) + (8L << 20));
        }
    }

    @Test
    void refusesATinyRegion() {
        assertThatThrownBy(() -> new BandwidthProbe(100)).isInstanceOf(IllegalArgumentException.class);
    }
}
