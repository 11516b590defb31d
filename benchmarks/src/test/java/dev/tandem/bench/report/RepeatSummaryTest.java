package dev.tandem.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepeatSummaryTest {

    @Test
    void mediansOfThreeRuns(@TempDir Path dir) throws Exception {
        double[] batch1 = {40, 50, 45};
        for (int i = 0; i < 3; i++) {
            Figures.write(dir.resolve("r" + i), "throughput-t1", Map.of("bandwidthGBs1", 20.0 + i, "bandwidthGBs2", 30.0,
                    "rows", List.of(Map.of("dtype", "bfloat16", "batch", 1, "tokensPerSecond", batch1[i], "boundTokensPerSecond", 50.0),
                            Map.of("dtype", "bfloat16", "batch", 8, "tokensPerSecond", 4 * batch1[i], "boundTokensPerSecond", 50.0),
                            Map.of("dtype", "float32", "batch", 1, "tokensPerSecond", batch1[i] / 2, "boundTokensPerSecond", 25.0))));
        }
        String md = RepeatSummary.table(List.of(dir.resolve("r0"), dir.resolve("r1"), dir.resolve("r2")));
        assertThat(md).contains("| bfloat16 threads=1 batch=01 tok/s | 40.00 | 50.00 | 45.00 | 45.00 |");
        assertThat(md).contains("| bfloat16 threads=1 batch=01 % of bound | 80.00 | 100.00 | 90.00 | 90.00 |");
        assertThat(md).contains("| bfloat16 threads=1 batch 8 / batch 1 | 4.00 | 4.00 | 4.00 | 4.00 |");
        assertThat(md).contains("| float32 threads=1 batch=01 tok/s | 20.00 | 25.00 | 22.50 | 22.50 |");
        assertThat(md).contains("| bandwidth GB/s, 1 thread | 20.00 | 21.00 | 22.00 | 21.00 |");
    }
}
