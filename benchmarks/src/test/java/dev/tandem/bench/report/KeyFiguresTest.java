package dev.tandem.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFiguresTest {

    @Test
    void judgesEachFigureAgainstItsTarget(@TempDir Path dir) throws Exception {
        // Given: batch 1 at 50 of a 60 tok/s bound (83%), batch 8 at 180 (3.6×); the products alone 16 and 50 ms per step
        Figures.write(dir, "throughput-t1", Map.of("shape", "110m", "weightBytesPerToken", 438_122_496L,
                "bandwidthGBs1", 26.3, "bandwidthGBs2", 31.0,
                "rows", List.of(Map.of("batch", 1, "tokensPerSecond", 50.0, "boundTokensPerSecond", 60.0, "productsOnlyStepMs", 16.0),
                        Map.of("batch", 8, "tokensPerSecond", 180.0, "boundTokensPerSecond", 60.0, "productsOnlyStepMs", 50.0))));
        // and a gateway adding 0.4 ms at P50 but 6 ms at P99
        Figures.write(dir, "gateway", Map.of("rate", 200.0, "jsonAddedP50", 0.4, "jsonAddedP95", 2.0, "jsonAddedP99", 6.0,
                "jsonSustainedRps", 199.5, "jsonErrors", 0));
        Figures.write(dir, "soak", Map.of("requests", 400, "errors", 0, "rssStartMiB", 900.0, "rssFirstWindowMiB", 1000.0,
                "rssEndMiB", 1050.0, "maxQueue", 3.0, "maxWaiting", 64));
        // When
        String md = KeyFigures.table(dir);
        // Then
        assertThat(md).contains("| 26.3 / 31.0 GB/s |").contains("438.1 MB");
        assertThat(md).contains("50.0 tok/s = 83% of the bound").containsPattern("≥ 80% of the bound \\| met \\|");
        assertThat(md).contains("3.60× (180.0 vs 50.0 tok/s) | ≥ 4× | not met");
        assertThat(md).contains("62.5 tok/s = 104% of the bound at batch 1; 2.56× at batch 8");
        assertThat(md).contains("0.40 ms / 2.00 ms / 6.00 ms | P50 < 1 ms, P99 < 5 ms | not met");
        assertThat(md).contains("199.5 req/s, 0 errors | 200 req/s, 0 errors | met");
        assertThat(md).contains("| Soak errors | 0 of 400 | 0 | met |").contains("900 → 1000 → 1050 MiB | flat | met");
    }

    @Test
    void anEmptyDirectoryHasNoHeadline(@TempDir Path dir) throws Exception {
        assertThat(KeyFigures.table(dir)).isEmpty();
    }
}
