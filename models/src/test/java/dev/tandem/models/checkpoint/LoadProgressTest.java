package dev.tandem.models.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadProgressTest {
    @Test
    void reportsEveryTwoSecondsAndOnceAtTheEndWithThroughput() {
        AtomicLong nanos = new AtomicLong();
        List<String> lines = new ArrayList<>();
        LoadProgress progress = new LoadProgress(400_000_000, lines::add, nanos::get);

        nanos.set(1_000_000_000);
        progress.advance(100_000_000); // 1 s in: too early to report
        assertThat(lines).isEmpty();

        nanos.set(2_000_000_000);
        progress.advance(100_000_000); // 2 s in: 50%, 100 MB/s
        assertThat(lines).containsExactly("loading weights:  50.0% (200 of 400 MB, 100 MB/s, 2.0 s)");

        nanos.set(2_500_000_000L);
        progress.advance(100_000_000);
        assertThat(lines).hasSize(1);

        nanos.set(4_000_000_000L);
        progress.advance(100_000_000); // done: always reported
        assertThat(lines).hasSize(2).last().isEqualTo("loading weights: 100.0% (400 of 400 MB, 100 MB/s, 4.0 s)");
        assertThat(progress.fraction()).isEqualTo(1.0);
    }
}
