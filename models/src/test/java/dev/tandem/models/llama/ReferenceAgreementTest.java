package dev.tandem.models.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.checkpoint.TensorDtype;
import dev.tandem.models.reference.ReferenceLlama;
import dev.tandem.models.step.ModelStep;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The NDArray forward agrees with the naive plain-Java reference within 1e-4 (float32 compute), from
 * F32, F16 and BF16 files (the reference reads the same widened weights).
 */
class ReferenceAgreementTest {
    private static final int[] TOKENS = {1, 300, 45, 101, 7, 260, 499, 12, 88, 3, 150};
    /** The 3 blocks of 4 positions the tokens take, out of order in the pool: attention gathers them. */
    private static final int[] SCATTERED = {5, 1, 6};

    @TempDir Path dir;

    @ParameterizedTest(name = "compute {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"FLOAT16"})
    void halfPrecisionComputeStaysCloseToReference(String dtype) {
        // Half precision rounds each step: only a loose agreement is expected, but the maths must be the same
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withDtype(TensorDtype.BF16));
        try (Checkpoint checkpoint = Checkpoint.open(dir);
                LlamaModel model = LlamaModel.load(checkpoint, Device.cpu(), DataType.valueOf(dtype), null);
                KvCache cache = model.newCache(8, 4);
                NDManager step = model.getManager().newSubManager()) {
            float[][] expected = ReferenceLlama.load(checkpoint).logits(TOKENS);
            NDArray logits = model.forward(step, cache, List.of(new ModelStep.Chunk(TOKENS, 0, SCATTERED)), true);
            for (int p = 0; p < TOKENS.length; p++) {
                float[] actual = logits.get(p).toFloatArray();
                double worst = 0;
                double scale = 0;
                for (int v = 0; v < actual.length; v++) {
                    worst = Math.max(worst, Math.abs(actual[v] - expected[p][v]));
                    scale = Math.max(scale, Math.abs(expected[p][v]));
                }
                org.assertj.core.api.Assertions.assertThat(worst).as("position %d", p).isLessThan(0.05 * scale + 0.02);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tandem.models.reference.GeneratedModels#variety")
    void logitsAgreeWithReference(String name, GeneratorOptions options) {
        CheckpointGenerator.write(dir, options);
        try (Checkpoint checkpoint = Checkpoint.open(dir);
                LlamaModel model = LlamaModel.load(checkpoint, Device.cpu(), DataType.FLOAT32, null);
                KvCache cache = model.newCache(8, 4);
                NDManager step = model.getManager().newSubManager()) {
            float[][] expected = ReferenceLlama.load(checkpoint).logits(TOKENS);
            NDArray logits = model.forward(step, cache, List.of(new ModelStep.Chunk(TOKENS, 0, SCATTERED)), true);
            for (int p = 0; p < TOKENS.length; p++) {
                KvCacheConsistencyTest.assertClose(logits.get(p).toFloatArray(), expected[p], name + ", position " + p);
            }
        }
    }
}
