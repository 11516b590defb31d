package dev.tandem.models.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.step.ModelStep;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The paged reference is the full-recompute reference, whatever the chunks and wherever the blocks. */
class PagedReferenceStepTest {
    private static final int[] TOKENS = {1, 300, 45, 101, 7, 260, 499, 12, 88, 3, 150};

    @TempDir Path dir;

    @Test
    void chunksOverScatteredBlocksGiveTheFullForwardsLogitsBitForBit() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            ReferenceLlama reference = ReferenceLlama.load(checkpoint);
            float[][] full = reference.logits(TOKENS);
            // Given blocks of 4 positions, the sequence's three blocks scattered over a pool of 8
            PagedReferenceStep step = new PagedReferenceStep(reference, 4);
            step.allocateKv(8);
            int[] table = {6, 1, 3};
            // When the tokens come in chunks of 5, 1 and 5, and in between another sequence writes its own blocks
            float[] first = step.forward(List.of(new ModelStep.Chunk(Arrays.copyOfRange(TOKENS, 0, 5), 0, table)));
            step.forward(List.of(new ModelStep.Chunk(new int[] {9, 9, 9, 9, 9, 9}, 0, new int[] {0, 2})));
            float[] second = step.forward(List.of(new ModelStep.Chunk(new int[] {TOKENS[5]}, 5, table)));
            float[] third = step.forward(List.of(new ModelStep.Chunk(Arrays.copyOfRange(TOKENS, 6, 11), 6, table)));
            // Then each chunk's last logits are the full forward's, exactly
            assertThat(first).containsExactly(full[4]);
            assertThat(second).containsExactly(full[5]);
            assertThat(third).containsExactly(full[10]);
        }
    }

    @Test
    void aPositionBeyondTheTableIsRefusedAndAnUnwrittenSlotPoisonsTheLogits() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            PagedReferenceStep step = new PagedReferenceStep(ReferenceLlama.load(checkpoint), 4);
            step.allocateKv(4);
            assertThatThrownBy(() -> step.forward(List.of(new ModelStep.Chunk(new int[] {1, 2, 3, 4, 5}, 0, new int[] {0}))))
                    .hasMessageContaining("beyond");
            // Position 4 read before positions 0..3 were ever written: NaN
            float[] logits = step.forward(List.of(new ModelStep.Chunk(new int[] {1}, 4, new int[] {1, 2})));
            assertThat(logits[0]).isNaN();
        }
    }
}
