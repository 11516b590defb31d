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
        // Given, through the engine: bfloat16 batch 1 at 70 of a 120 tok/s bound (58%), batch 8 at 280 (4.0×);
        // float32 batch 1 at 40 and batch 8 at 150, where today's engine made 36 and 160
        Figures.write(dir, "throughput-t1", Map.of("shape", "110m", "weightBytesPerToken", 438_122_496L,
                "weightBytesPerToken16", 219_061_248L, "bandwidthGBs1", 26.3, "bandwidthGBs2", 31.0,
                "rows", List.of(Map.of("dtype", "bfloat16", "batch", 1, "tokensPerSecond", 70.0, "boundTokensPerSecond", 120.0),
                        Map.of("dtype", "bfloat16", "batch", 8, "tokensPerSecond", 280.0, "boundTokensPerSecond", 120.0),
                        Map.of("dtype", "float32", "batch", 1, "tokensPerSecond", 40.0, "boundTokensPerSecond", 60.0),
                        Map.of("dtype", "float32", "batch", 8, "tokensPerSecond", 150.0, "boundTokensPerSecond", 60.0))));
        Figures.write(dir.resolve("today"), "throughput-t1", Map.of("rows", List.of(
                Map.of("batch", 1, "tokensPerSecond", 36.0), Map.of("batch", 8, "tokensPerSecond", 160.0))));
        // the step alone: bfloat16 batch 1 at 80 of 120; a 16,384-token prompt at 900 tok/s against 2,000 for 128
        Figures.write(dir, "step-t1", Map.of("threads", 1, "rows", List.of(
                Map.of("dtype", "bfloat16", "what", "decode", "batch", 1, "tokensPerSecond", 80.0, "boundTokensPerSecond", 120.0),
                Map.of("dtype", "bfloat16", "what", "prefill 128", "batch", 1, "tokensPerSecond", 2000.0, "boundTokensPerSecond", 120.0),
                Map.of("dtype", "bfloat16", "what", "prefill 16384", "batch", 1, "tokensPerSecond", 900.0, "boundTokensPerSecond", 120.0))));
        // a cached 1,024-token prompt's first token in 12% of the cold one's time
        Figures.write(dir, "prefix-cache", Map.of("shape", "110m", "dtype", "bfloat16", "promptTokens", 1024, "cachedTokens", 960,
                "coldFirstTokenMs", 1000.0, "cachedFirstTokenMs", 120.0, "ratio", 0.12));
        // a 7B-class checkpoint decoding at 1.2 of a 1.9 tok/s bound
        Figures.write(dir, "large-model", Map.of("checkpointGB", 13.5, "dtype", "bfloat16", "threads", 2, "loadSeconds", 41.0,
                "rssPeakGB", 14.1, "rssSteadyGB", 13.9, "decodeTokensPerSecond1", 1.2, "boundTokensPerSecond", 1.9));
        // and a gateway adding 0.4 ms at P50 but 6 ms at P99
        Figures.write(dir, "gateway", Map.of("rate", 200.0, "jsonAddedP50", 0.4, "jsonAddedP95", 2.0, "jsonAddedP99", 6.0,
                "jsonSustainedRps", 199.5, "jsonErrors", 0));
        Figures.write(dir, "soak", Map.of("requests", 400, "errors", 0, "rssStartMiB", 900.0, "rssFirstWindowMiB", 1000.0,
                "rssEndMiB", 1050.0, "maxQueue", 3.0, "maxWaiting", 64));
        // When
        String md = KeyFigures.table(dir);
        // Then
        assertThat(md).contains("| 26.3 / 31.0 GB/s |").contains("438.1 / 219.1 MB");
        assertThat(md).contains("bfloat16, 1 thread(s) | 70.0 tok/s = 58% of the bound (120.0 tok/s at 1-thread bandwidth) | ≥ 50% of the bound | met");
        assertThat(md).contains("8 streams vs batch 1, bfloat16, 1 thread(s) | 4.00× | ≥ 4.5× | not met");
        assertThat(md).contains("8 streams vs batch 1, float32, 1 thread(s) | 3.75× | – | –");
        assertThat(md).contains("today's NDArray engine, 1 thread(s) | batch 1: 1.11×, batch 8: 0.94× | ≥ 1× (no slower) | not met");
        assertThat(md).contains("step alone, bfloat16, 1 thread(s) | 80.0 tok/s = 67% of the bound | ≥ 50% of the bound | met");
        assertThat(md).contains("Prefill of 16384 tokens vs 128, step alone, bfloat16, 1 thread(s) | 45% (900 vs 2000 tok/s) | ≥ 40% | met");
        assertThat(md).contains("1024-token prompt with 960 cached vs cold (110m, bfloat16) | 12.0% (120.00 ms vs 1000.00 ms) | ≤ 15% | met");
        assertThat(md).contains("7B-class checkpoint (13.5 GB, bfloat16): load, RSS peak / steady | 41 s, 14.1 / 13.9 GB");
        assertThat(md).contains("7B-class batch-1 decode, step alone, 2 thread(s) | 1.20 tok/s = 63% of the bound (1.90 tok/s)");
        assertThat(md).contains("0.40 ms / 2.00 ms / 6.00 ms | P50 < 1 ms, P99 < 5 ms | not met");
        assertThat(md).contains("199.5 req/s, 0 errors | 200 req/s, 0 errors | met");
        assertThat(md).contains("| Soak errors | 0 of 400 | 0 | met |").contains("900 → 1000 → 1050 MiB | flat | met");
    }

    @Test
    void anEmptyDirectoryHasNoHeadline(@TempDir Path dir) throws Exception {
        assertThat(KeyFigures.table(dir)).isEmpty();
    }
}
