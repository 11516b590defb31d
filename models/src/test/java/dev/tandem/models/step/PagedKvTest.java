package dev.tandem.models.step;

import static dev.tandem.models.step.TorchStepReferenceTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KV blocks are only a layout: where a sequence's blocks lie in the pool, how its prompt is cut into
 * chunks, which other sequences share its blocks or its forward, none of it changes its logits.
 */
class PagedKvTest {
    private static final int BLOCK = 4;
    private static final int POOL = 40;
    private static final int[] TOKENS = {1, 300, 45, 101, 7, 260, 499, 12, 88, 3, 150, 42, 9, 77, 310, 64, 5, 222, 18, 400};

    @TempDir Path dir;
    private Checkpoint checkpoint;
    private TorchStep step;

    @BeforeEach
    void load() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2));
        checkpoint = Checkpoint.open(dir);
        step = newStep();
    }

    @AfterEach
    void close() {
        step.close();
        checkpoint.close();
    }

    private TorchStep newStep() {
        TorchStep s = TorchStep.load(checkpoint, Device.cpu(), ComputeDtype.FLOAT32, BLOCK, null);
        s.allocateKv(POOL);
        return s;
    }

    @Test
    void scatteredBlocksGiveTheLogitsOfContiguousOnes() {
        // Given the same sequence in blocks 0..4 and in blocks scattered over the pool, out of order
        float[][] contiguous = TorchStepReferenceTest.stepwise(step, TOKENS, new int[] {6, 5}, new int[] {0, 1, 2, 3, 4});
        float[][] scattered = TorchStepReferenceTest.stepwise(step, TOKENS, new int[] {6, 5}, new int[] {37, 9, 22, 5, 30});
        // Then every position's logits are the same
        for (int p = 0; p < TOKENS.length; p++) {
            if (contiguous[p] != null) {
                assertClose(scattered[p], contiguous[p], 1e-6, "position " + p);
            }
        }
    }

    @Test
    void chunkedPrefillEqualsOneShotPrefill() {
        int[] table = {0, 1, 2, 3, 4};
        // Given the first 14 tokens prefilled in one chunk, then decodes
        float[][] oneShot = TorchStepReferenceTest.stepwise(step, TOKENS, new int[] {14}, table);
        // When another sequence prefills them in chunks of 5, 3 and 6 (starting mid-block), then decodes
        float[][] chunked = TorchStepReferenceTest.stepwise(step, TOKENS, new int[] {5, 3, 6}, new int[] {10, 11, 12, 13, 14});
        // Then the logits after the prompt and at every decode step agree
        for (int p = 13; p < TOKENS.length; p++) {
            assertClose(chunked[p], oneShot[p], 1e-5, "position " + p);
        }
    }

    @Test
    void sequencesSharingPrefixBlocksSeeTheSameValues() {
        int[] prefix = Arrays.copyOf(TOKENS, 2 * BLOCK);                 // two full blocks
        int[] a = concat(prefix, new int[] {11, 12, 13});
        int[] b = concat(prefix, new int[] {21, 22, 23, 24, 25});
        // Given A prefilled in blocks 20, 21 (the shared prefix) and 22
        step.forward(List.of(new ModelStep.Chunk(a, 0, new int[] {20, 21, 22})));
        // When B reuses blocks 20 and 21 and prefills only its own tokens into 30, 31
        int[] tableB = {20, 21, 30, 31};
        float[] bShared = step.forward(List.of(new ModelStep.Chunk(Arrays.copyOfRange(b, prefix.length, b.length), prefix.length, tableB)));
        // Then B's logits are those of B computed alone in a fresh step
        try (TorchStep alone = newStep()) {
            float[] bAlone = alone.forward(List.of(new ModelStep.Chunk(b, 0, new int[] {0, 1, 2, 3})));
            assertClose(bShared, bAlone, 1e-5, "B after the shared prefix");

            // And when A and B then decode together over the shared blocks, each sees what it sees alone
            float[] together = step.forward(List.of(
                    new ModelStep.Chunk(new int[] {14}, a.length, new int[] {20, 21, 22}),
                    new ModelStep.Chunk(new int[] {26}, b.length, tableB)));
            float[] bNext = alone.forward(List.of(new ModelStep.Chunk(new int[] {26}, b.length, new int[] {0, 1, 2, 3})));
            alone.forward(List.of(new ModelStep.Chunk(a, 0, new int[] {10, 11, 12})));
            float[] aNext = alone.forward(List.of(new ModelStep.Chunk(new int[] {14}, a.length, new int[] {10, 11, 12})));
            int vocab = step.vocabSize();
            assertClose(Arrays.copyOfRange(together, 0, vocab), aNext, 1e-5, "A decoding beside B");
            assertClose(Arrays.copyOfRange(together, vocab, 2 * vocab), bNext, 1e-5, "B decoding beside A");
        }
    }

    @Test
    void aMixedForwardEqualsSeparateForwards() {
        try (TorchStep separate = newStep()) {
            // Given two sequences with history in both steps
            for (TorchStep s : List.of(step, separate)) {
                s.forward(List.of(new ModelStep.Chunk(Arrays.copyOf(TOKENS, 6), 0, new int[] {0, 1, 2})));
                s.forward(List.of(new ModelStep.Chunk(Arrays.copyOfRange(TOKENS, 3, 12), 0, new int[] {5, 6, 7})));
            }
            // When one forward carries a decode, a new prompt, another decode and a later chunk (in that order)
            List<ModelStep.Chunk> chunks = List.of(
                    new ModelStep.Chunk(new int[] {77}, 6, new int[] {0, 1, 2}),
                    new ModelStep.Chunk(Arrays.copyOf(TOKENS, 7), 0, new int[] {10, 11}),
                    new ModelStep.Chunk(new int[] {8}, 9, new int[] {5, 6, 7}),
                    new ModelStep.Chunk(new int[] {90, 91, 92}, 10, new int[] {15, 16, 17, 18}));
            separate.forward(List.of(new ModelStep.Chunk(Arrays.copyOf(TOKENS, 10), 0, new int[] {15, 16, 17, 18})));
            step.forward(List.of(new ModelStep.Chunk(Arrays.copyOf(TOKENS, 10), 0, new int[] {15, 16, 17, 18})));
            float[] mixed = step.forward(chunks);
            // Then each chunk's logits, in the caller's order, are those of its own forward
            int vocab = step.vocabSize();
            assertThat(mixed).hasSize(4 * vocab);
            for (int c = 0; c < chunks.size(); c++) {
                float[] alone = separate.forward(List.of(chunks.get(c)));
                assertClose(Arrays.copyOfRange(mixed, c * vocab, (c + 1) * vocab), alone, 1e-5, "chunk " + c);
            }
        }
    }

    @Test
    void tablesThatMissABlockOrLeaveThePoolAreRefused() {
        assertThatThrownBy(() -> step.forward(List.of(new ModelStep.Chunk(new int[] {1, 2, 3}, 3, new int[] {0}))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 5").hasMessageContaining("1 block");
        assertThatThrownBy(() -> step.forward(List.of(new ModelStep.Chunk(new int[] {1}, 0, new int[] {POOL}))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the pool of " + POOL);
        try (TorchStep fresh = TorchStep.load(checkpoint, Device.cpu(), ComputeDtype.FLOAT32, BLOCK, null)) {
            assertThatThrownBy(() -> fresh.forward(List.of(new ModelStep.Chunk(new int[] {1}, 0, new int[] {0}))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("allocateKv");
        }
    }

    @Test
    void blocksWrittenBeforeShowNothingOfTheirOldContents() {
        // Given a fresh step's logits for a sequence that uses blocks 0..4
        int[] table = {0, 1, 2, 3, 4};
        float[][] fresh = TorchStepReferenceTest.stepwise(step, TOKENS, new int[] {7}, table);
        // When, in another step, other sequences first write those blocks (8 decodes into block 0, as the
        // engine's warm-up does, and a 24-token prompt over blocks 0..5), then the same sequence runs there
        try (TorchStep reused = newStep()) {
            List<ModelStep.Chunk> decodes = new java.util.ArrayList<>();
            for (int s = 0; s < 8; s++) {
                decodes.add(new ModelStep.Chunk(new int[] {3 + s}, s % BLOCK, new int[] {0}));
            }
            reused.forward(decodes);
            int[] other = new int[24];
            Arrays.fill(other, 11);
            reused.forward(List.of(new ModelStep.Chunk(other, 0, new int[] {0, 1, 2, 3, 4, 5})));
            float[][] after = TorchStepReferenceTest.stepwise(reused, TOKENS, new int[] {7}, table);
            // Then it sees exactly what the fresh step saw
            for (int p = 6; p < TOKENS.length; p++) {
                assertClose(after[p], fresh[p], 0, "position " + p);
            }
        }
    }

    @Test
    void memoryFiguresFollowTheShapeAndDtype() {
        // tiny: 2 layers, 2 KV heads of 16, float32: keys and values of 4 positions
        assertThat(step.bytesPerBlock()).isEqualTo(2L * 2 * BLOCK * 2 * 16 * 4);
        assertThat(step.numBlocks()).isEqualTo(POOL);
        long parameters = checkpoint.tensorNames().stream().mapToLong(n -> checkpoint.tensor(n).elements()).sum();
        assertThat(step.parameters()).isEqualTo(parameters);
        assertThat(step.weightBytes()).isEqualTo(parameters * 4);
        try (TorchStep bf16 = TorchStep.load(checkpoint, Device.cpu(), ComputeDtype.BFLOAT16, BLOCK, null)) {
            assertThat(bf16.weightBytes()).isEqualTo(parameters * 2);
            assertThat(bf16.bytesPerBlock()).isEqualTo(step.bytesPerBlock() / 2);
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
