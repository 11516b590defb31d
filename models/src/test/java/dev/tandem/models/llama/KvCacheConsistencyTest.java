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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KV cache is an optimisation only: every way of feeding tokens gives the logits of one full forward. */
class KvCacheConsistencyTest {
    private static final int[] TOKENS = {5, 90, 333, 2, 17, 400, 8, 3, 260, 11, 77, 501};

    @TempDir Path dir;
    private Checkpoint checkpoint;
    private LlamaModel model;
    private KvCache cache;

    @BeforeEach
    void load() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2));
        checkpoint = Checkpoint.open(dir);
        model = LlamaModel.load(checkpoint, Device.cpu(), DataType.FLOAT32, null);
        cache = model.newCache(128);
    }

    @AfterEach
    void close() {
        cache.close();
        model.close();
        checkpoint.close();
    }

    @Test
    void decodeWithCacheEqualsFullRecomputation() {
        // Given a prompt of 4 tokens prefilled, then one token per decode step
        int base = cache.reserve(TOKENS.length);
        float[][] stepwise = new float[TOKENS.length][];
        float[][] prefill = run(List.of(new LlamaModel.Chunk(base, 0, Arrays.copyOf(TOKENS, 4))), true);
        System.arraycopy(prefill, 0, stepwise, 0, 4);
        for (int p = 4; p < TOKENS.length; p++) {
            stepwise[p] = run(List.of(LlamaModel.Chunk.decode(base, p, TOKENS[p])), false)[0];
        }
        // Then each step's logits equal those of one forward over the whole prefix
        float[][] full = fullForward();
        for (int p = 0; p < TOKENS.length; p++) {
            assertClose(stepwise[p], full[p], "position " + p);
        }
    }

    @Test
    void chunkedPrefillEqualsOneShotPrefill() {
        // Given the prompt fed in chunks of 5, 1 and 6 tokens
        int base = cache.reserve(TOKENS.length);
        List<float[]> chunked = new ArrayList<>();
        int[][] pieces = {Arrays.copyOfRange(TOKENS, 0, 5), Arrays.copyOfRange(TOKENS, 5, 6), Arrays.copyOfRange(TOKENS, 6, 12)};
        int start = 0;
        for (int[] piece : pieces) {
            chunked.addAll(Arrays.asList(run(List.of(new LlamaModel.Chunk(base, start, piece)), true)));
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
        // Given three sequences at different lengths, the third still prefilling
        int a = cache.reserve(20);
        int b = cache.reserve(20);
        int c = cache.reserve(20);
        run(List.of(new LlamaModel.Chunk(a, 0, Arrays.copyOf(TOKENS, 7))), false);
        run(List.of(new LlamaModel.Chunk(b, 0, Arrays.copyOf(TOKENS, 2))), false);
        // When one forward holds a decode token for a and b and a 3-token prefill chunk for c
        float[][] batched = run(List.of(
                LlamaModel.Chunk.decode(a, 7, 42),
                new LlamaModel.Chunk(c, 0, new int[] {9, 8, 7}),
                LlamaModel.Chunk.decode(b, 2, 43)), false);
        // Then each row equals the same sequence computed alone
        int a2 = cache.reserve(20);
        int b2 = cache.reserve(20);
        int c2 = cache.reserve(20);
        int[] aTokens = Arrays.copyOf(TOKENS, 8);
        aTokens[7] = 42;
        int[] bTokens = {TOKENS[0], TOKENS[1], 43};
        assertClose(batched[0], run(List.of(new LlamaModel.Chunk(a2, 0, aTokens)), false)[0], "a");
        assertClose(batched[1], run(List.of(new LlamaModel.Chunk(c2, 0, new int[] {9, 8, 7})), false)[0], "c");
        assertClose(batched[2], run(List.of(new LlamaModel.Chunk(b2, 0, bTokens)), false)[0], "b");
    }

    @Test
    void stepsLeaveNoArraysBehind() {
        long before = LiveArrays.count(model.getManager());
        int base = cache.reserve(TOKENS.length);
        run(List.of(new LlamaModel.Chunk(base, 0, TOKENS)), true);
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

    private float[][] fullForward() {
        int other = cache.reserve(TOKENS.length);
        float[][] full = run(List.of(new LlamaModel.Chunk(other, 0, TOKENS)), true);
        cache.release(other, TOKENS.length);
        return full;
    }

    private float[][] run(List<LlamaModel.Chunk> chunks, boolean all) {
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
