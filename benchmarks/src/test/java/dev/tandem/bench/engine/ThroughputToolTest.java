package dev.tandem.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.step.DtypeChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThroughputToolTest {

    @Test
    void measuresEachBatchOnTheTinyCheckpointAndWritesTheTable(@TempDir Path dir) throws Exception {
        // Given a checkpoint cache of its own
        System.setProperty("tandem.bench.checkpoints", dir.resolve("ckpt").toString());
        // When the tool runs briefly (not a measurement)
        try {
            ThroughputTool.main(new String[] {"--shape", "tiny", "--threads", "1", "--batches", "1,2", "--tokens", "6",
                    "--repeats", "1", "--bandwidth-gib", "0.0625", "--bandwidth-passes", "1", "--model-only", "--out", dir.toString(), "--name", "t"});
        } finally {
            System.clearProperty("tandem.bench.checkpoints");
        }
        // Then a row per dtype (the machine's choice, and float32) and batch, the bound for batch 1 (in that dtype's
        // bytes) and the weight bytes from config.json
        String md = Files.readString(dir.resolve("t.md"));
        String auto = DtypeChoice.choose("auto", DtypeChoice.Hardware.thisCpu()).dtype().label();
        assertThat(md).contains("| " + auto + " | 1 | 1 |").contains("| " + auto + " | 1 | 2 |").contains("| float32 | 1 | 1 |")
                .contains("| float32 | 1 | 2 |").contains("step-only ms/step").contains("% of the bound (");
        assertThat(md).doesNotContain("| – | 1.00× |"); // the step-only column of batch 1 is filled
        ModelShape shape = ModelShape.read(dir.resolve("ckpt").resolve("tiny"));
        assertThat(md).contains(String.format("%.1f MB in float32, %.1f MB in 16 bits", shape.weightBytesPerToken(4) / 1e6,
                shape.weightBytesPerToken(2) / 1e6));
        assertThat(dir.resolve("t.json")).content().contains("\"dtype\" : \"" + auto + "\"").contains("\"stepOnlyMs\"");
    }

    @Test
    void decodeRateCountsOnlyTheWindowWhereEveryStreamDecodes() {
        // Stream 0 decodes at t = 10, 20, 30, 40; stream 1 starts late at 25 and ends at 45 (times in ns × 1e8)
        long s = 100_000_000L;
        long[][] times = {{10 * s, 20 * s, 30 * s, 40 * s}, {25 * s, 35 * s, 45 * s, 55 * s}};
        // Window (25, 40]: stream 0 at 30 and 40, stream 1 at 35 → 3 tokens over 1.5 s
        assertThat(EngineRuns.decodeTokensPerSecond(times)).isEqualTo(2.0);
    }
}
