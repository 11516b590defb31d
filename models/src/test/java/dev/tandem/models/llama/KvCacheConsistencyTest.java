package dev.tandem.models.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.step.ModelStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paged KV cache is an optimisation only: every way of feeding tokens, in whichever blocks, gives
 * the logits of one full forward.
 */
class KvCacheConsistencyTest {
    private static final int[] TOKENS = {5, 90, 333, 2, 17, 400, 8, 3, 260, 11, 77, 501};
    private static final int BLOCK = 4;

    @TempDir Path dir;
    private Checkpoint checkpoint;
    private LlamaModel model;
    private KvCache cache;

    @BeforeEach
    void load() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2));
        checkpoint = Checkpoint.open(dir);
        model = LlamaModel.load(checkpoint, Device.cpu(), DataType.FLOAT32, null);
        cache = model.newCache(32, BLOCK);
    }

    @AfterEach
    void close() {
        cache.close();
        model.close();
        checkpoint.close();
    }

    private static ModelStep.Chunk chunk(int[] tokens, int start, int... table) {
        return new ModelStep.Chunk(tokens, start, table);
    }

    @Test
    void decodeWithCacheEqualsFullRecomputation() {
        // Given a prompt of 4 tokens prefilled, then one token per decode step, in blocks scattered over the pool
        int[] table = {7, 3, 12};
        float[][] stepwise = new float[TOKENS.length][];
        float[][] prefill = run(List.of(chunk(Arrays.copyOf(TOKENS, 4), 0, table)), true);
        System.arraycopy(prefill, 0, stepwise, 0, 4);
        for (int p = 4; p < TOKENS.length; p++) {
            stepwise[p] = run(List.of(chunk(new int[] {TOKENS[p]}, p, table)), false)[0];
        }
        // Then each step's logits equal those of one forward over the whole prefix
        float[][] full = fullForward();
        for (int p = 0; p < TOKENS.length; p++) {
            assertClose(stepwise[p], full[p], "position " + p);
        }
    }

    @Test
    void chunkedPrefillEqualsOneShotPrefill() {
        // Given the prompt fed in chunks of 5, 1 and 6 tokens, in consecutive blocks (read as one slice)
        int[] table = {4, 5, 6};
        List<float[]> chunked = new ArrayList<>();
        int[][] pieces = {Arrays.copyOfRange(TOKENS, 0, 5), Arrays.copyOfRange(TOKENS, 5, 6), Arrays.copyOfRange(TOKENS, 6, 12)};
        int start = 0;
        for (int[] piece : pieces) {
            chunked.addAll(Arrays.asList(run(List.of(chunk(piece, start, table)), true)));
            start += piece.length;
        }
        // Then every position matches the one-shot prefill
        float[][] full = fullForward();
        for (int p = 0; p < TOKENS.length; p++) {
            assertClose(chunked.get(p), full[p], "position " + p);
        }
    }

    @Test
    void batchedChunksOfDifferentLengthsEqualSeparateForwards() {
        // Given three sequences at different lengths, the third still prefilling, their blocks interleaved
        int[] a = {0, 3};
        int[] b = {1};
        int[] c = {2};
        run(List.of(chunk(Arrays.copyOf(TOKENS, 7), 0, a)), false);
        run(List.of(chunk(Arrays.copyOf(TOKENS, 2), 0, b)), false);
        // When one forward holds a decode token for a and b and a 3-token prefill chunk for c
        float[][] batched = run(List.of(
                chunk(new int[] {42}, 7, a),
                chunk(new int[] {9, 8, 7}, 0, c),
                chunk(new int[] {43}, 2, b)), false);
        // Then each row equals the same sequence computed alone, in other blocks
        int[] aTokens = Arrays.copyOf(TOKENS, 8);
        aTokens[7] = 42;
        int[] bTokens = {TOKENS[0], TOKENS[1], 43};
        assertClose(batched[0], run(List.of(chunk(aTokens, 0, 20, 21)), false)[0], "a");
        assertClose(batched[1], run(List.of(chunk(new int[] {9, 8, 7}, 0, 22)), false)[0], "c");
        assertClose(batched[2], run(List.of(chunk(bTokens, 0, 23)), false)[0], "b");
    }

    @Test
    void stepsLeaveNoArraysBehind() {
        long before = LiveArrays.count(model.getManager());
        run(List.of(chunk(TOKENS, 0, 8, 9, 10), chunk(TOKENS, 0, 30, 2, 17)), true);
        assertThat(LiveArrays.count(model.getManager())).isEqualTo(before);
    }

    @Test
    void decodeProbeRunsBatchedStepsAndFreesItsCache() {
        long before = LiveArrays.count(model.getManager());
        DecodeProbe.Result r = DecodeProbe.measure(model, 3, 4, 1, 3);
        assertThat(r.batch()).isEqualTo(3);
        assertThat(r.millisPerStep()).isPositive();
        assertThat(LiveArrays.count(model.getManager())).isEqualTo(before);
    }

    @Test
    void aPositionBeyondItsTableIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(List.of(chunk(TOKENS, 0, 1, 2)), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(List.of(chunk(new int[] {1}, 0, 32)), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the pool");
    }

    private float[][] fullForward() {
        return run(List.of(chunk(TOKENS, 0, 24, 25, 26)), true);
    }

    private float[][] run(List<ModelStep.Chunk> chunks, boolean all) {
        try (NDManager step = model.getManager().newSubManager()) {
            NDArray logits = model.forward(step, cache, chunks, all);
            int rows = (int) logits.getShape().get(0);
            float[][] out = new float[rows][];
            for (int r = 0; r < rows; r++) {
                out[r] = logits.get(r).toFloatArray();
            }
            return out;
        }
    }

    static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int v = 0; v < expected.length; v++) {
            assertThat(actual[v]).as("%s, vocab %d", what, v).isCloseTo(expected[v], within(1e-4f));
        }
    }
}
