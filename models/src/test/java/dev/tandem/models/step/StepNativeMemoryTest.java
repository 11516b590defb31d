package dev.tandem.models.step;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.tandem.models.ProcessMemory;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Thousands of forwards leave no IValue, no DJL array and no native memory behind. */
class StepNativeMemoryTest {
    private static final int BLOCK = 8;

    @TempDir Path dir;

    @Test
    void liveNativeObjectsAndRssReturnToBaselineAfterManySteps() throws IOException {
        // A vocabulary of 16,384: each forward's logits are 64 KB per chunk, so a leaked result would show in RSS
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withVocabSize(16384).withWeightScale(0.2));
        try (Checkpoint checkpoint = Checkpoint.open(dir);
             TorchStep step = TorchStep.load(checkpoint, Device.cpu(), ComputeDtype.BFLOAT16, BLOCK, null)) {
            step.allocateKv(64);
            long objects = step.liveNativeObjects();
            // Warm-up: every path (prefill chunks, batched decodes, mixed forwards); the RSS plateau is the highest
            // reading over three warm-up waves (malloc arenas and the JIT settle during the first)
            long plateau = 0;
            for (int wave = 0; wave < 3; wave++) {
                runWave(step, wave);
                plateau = Math.max(plateau, ProcessMemory.rssKb());
            }
            assertThat(step.liveNativeObjects()).isEqualTo(objects);

            long highest = 0;
            for (int wave = 3; wave < 7; wave++) {
                runWave(step, wave);
                highest = Math.max(highest, ProcessMemory.rssKb());
                assertThat(step.liveNativeObjects()).as("after wave %d", wave).isEqualTo(objects);
            }
            // 4 waves of 200 forwards: a leak of one logits row per forward would add 50 MB
            assertThat(highest - plateau).isLessThan(32 * 1024);
        }
    }

    /** 200 forwards: 4 sequences prefill, then decode together, some with a new prompt beside them. */
    private static void runWave(TorchStep step, int wave) {
        for (int round = 0; round < 5; round++) {
            int[][] tables = new int[4][];
            for (int s = 0; s < 4; s++) {
                tables[s] = new int[] {16 * s, 16 * s + 1, 16 * s + 2, 16 * s + 3, 16 * s + 4, 16 * s + 5};
                int[] prompt = new int[5 + s];
                Arrays.fill(prompt, 3 + wave + s);
                step.forward(List.of(new ModelStep.Chunk(prompt, 0, tables[s])));
            }
            for (int t = 0; t < 36; t++) {
                List<ModelStep.Chunk> chunks = new ArrayList<>();
                for (int s = 0; s < 4; s++) {
                    chunks.add(new ModelStep.Chunk(new int[] {7 + t}, 5 + s + t, tables[s]));
                }
                if (t % 12 == 0) {
                    chunks.add(new ModelStep.Chunk(new int[] {4, 5, 6, 7, 8, 9}, 0, new int[] {63}));
                }
                step.forward(chunks);
            }
        }
    }
}
