package dev.tandem.models.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a forward's chunks reach the program: decodes first as one padded batch, then each chunk; logits in the caller's order. */
class StepBatchTest {
    @Test
    void decodesGoFirstAndEachChunksLastRowIsReportedInTheCallersOrder() {
        // Given a prompt chunk, a decode at position 5, a chunk starting mid-block and a decode at position 0
        List<ModelStep.Chunk> chunks = List.of(
                new ModelStep.Chunk(new int[] {10, 11, 12}, 0, new int[] {7}),
                new ModelStep.Chunk(new int[] {20}, 5, new int[] {3, 9}),
                new ModelStep.Chunk(new int[] {30, 31}, 3, new int[] {4, 6, 8}),
                new ModelStep.Chunk(new int[] {40}, 0, new int[] {2}));
        StepBatch b = StepBatch.of(chunks, 4, 10);
        // Then the decodes come first, in order, then the chunks
        assertThat(b.rows().tokens()).containsExactly(20, 40, 10, 11, 12, 30, 31);
        assertThat(b.rows().positions()).containsExactly(5, 0, 0, 1, 2, 3, 4);
        // slot = table[p / 4] * 4 + p % 4
        assertThat(b.rows().slots()).containsExactly(9 * 4 + 1, 2 * 4, 28, 29, 30, 4 * 4 + 3, 6 * 4);
        assertThat(b.decodes().count()).isEqualTo(2);
        // The decodes' tables up to their token, padded with their first block to the widest
        assertThat(b.decodes().width()).isEqualTo(2);
        assertThat(b.decodes().tables()).containsExactly(3, 9, 2, 2);
        // The chunks' tables up to their last token, one after another
        assertThat(b.chunks().starts()).containsExactly(0, 3);
        assertThat(b.chunks().lengths()).containsExactly(3, 2);
        assertThat(b.chunks().tables()).containsExactly(7, 4, 6);
        // Each chunk's last token's row, in the caller's order
        assertThat(b.lastRows()).containsExactly(4, 0, 6, 1);
    }

    @Test
    void aForwardOfOnlyDecodesOrOnlyChunksHasNoOtherPart() {
        StepBatch decodes = StepBatch.of(List.of(new ModelStep.Chunk(new int[] {1}, 17, new int[] {0, 1, 2, 3, 4})), 4, 5);
        assertThat(decodes.decodes().tables()).containsExactly(0, 1, 2, 3, 4);
        assertThat(decodes.chunks().lengths()).isEmpty();
        StepBatch prompt = StepBatch.of(List.of(new ModelStep.Chunk(new int[] {1, 2}, 0, new int[] {4, 1})), 4, 5);
        assertThat(prompt.decodes().count()).isZero();
        assertThat(prompt.decodes().tables()).isEmpty();
        assertThat(prompt.chunks().tables()).containsExactly(4); // only the block its positions reach
    }

    @Test
    void anEmptyForwardIsRefused() {
        assertThatThrownBy(() -> StepBatch.of(List.of(), 4, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
