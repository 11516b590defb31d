package dev.tandem.models.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.checkpoint.RopeScaling;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceLlamaTest {
    @TempDir
    Path dir;

    private ReferenceLlama load(GeneratorOptions options) {
        try (Checkpoint checkpoint = Checkpoint.open(CheckpointGenerator.write(dir, options))) {
            return ReferenceLlama.load(checkpoint);
        }
    }

    @Test
    void laterTokensNeverChangeEarlierLogits() {
        // Given a tiny GQA model and a prompt
        ReferenceLlama model = load(GeneratorOptions.tiny());
        int[] tokens = {1, 300, 301, 400, 17, 511, 263};

        // When the logits of the whole prompt and of a prefix are computed
        float[][] all = model.logits(tokens);
        float[][] prefix = model.logits(Arrays.copyOf(tokens, 4));

        // Then the prefix positions agree: attention is causal
        for (int t = 0; t < 4; t++) {
            assertThat(all[t]).containsExactly(prefix[t], within(1e-6f));
        }
        assertThat(all).hasNumberOfRows(tokens.length);
        assertThat(all[0]).hasSize(512);
    }

    @Test
    void logitsAreFiniteAndNotDegenerate() {
        ReferenceLlama model = load(GeneratorOptions.tiny());
        float[] last = model.logits(new int[] {1, 270, 280})[2];
        double mean = 0;
        for (float v : last) {
            assertThat(Float.isFinite(v)).isTrue();
            mean += v / last.length;
        }
        double variance = 0;
        for (float v : last) {
            variance += (v - mean) * (v - mean) / last.length;
        }
        assertThat(Math.sqrt(variance)).isGreaterThan(0.05);
    }

    @Test
    void ropeScoresDependOnlyOnTheDistanceBetweenPositions() {
        double[] invFreq = ReferenceLlama.inverseFrequencies(GeneratorOptions.tiny().withRopeTheta(1e6).config());
        Random random = new Random(1);
        float[] q = new float[16];
        float[] k = new float[16];
        for (int i = 0; i < 16; i++) {
            q[i] = random.nextFloat() - 0.5f;
            k[i] = random.nextFloat() - 0.5f;
        }
        assertThat(rotatedDot(q, k, 7, 3, invFreq)).isCloseTo(rotatedDot(q, k, 107, 103, invFreq), within(1e-5));
        assertThat(rotatedDot(q, k, 7, 3, invFreq)).isNotCloseTo(rotatedDot(q, k, 7, 5, invFreq), within(1e-5));
    }

    @Test
    void ropeAtPositionZeroIsTheIdentity() {
        float[] v = {1, 2, 3, 4};
        ReferenceLlama.rope(v, 0, 4, 0, new double[] {1, 0.01});
        assertThat(v).containsExactly(1, 2, 3, 4);
    }

    @Test
    void inverseFrequenciesAgreeWithTheConfigsOwnComputation() {
        var plain = GeneratorOptions.tiny().config();
        var linear = GeneratorOptions.tiny().withRopeScaling(RopeScaling.linear(4)).config();
        var llama3 = GeneratorOptions.tiny().withRopeTheta(500000)
                .withRopeScaling(new RopeScaling(RopeScaling.LLAMA3, 8, 1.0, 4.0, 64)).config();
        for (var c : new dev.tandem.models.checkpoint.LlamaConfig[] {plain, linear, llama3}) {
            assertThat(ReferenceLlama.inverseFrequencies(c)).containsExactly(c.ropeInverseFrequencies(), within(1e-15));
        }
        assertThat(ReferenceLlama.inverseFrequencies(linear)[0]).isEqualTo(0.25);
    }

    @Test
    void tiedEmbeddingsUseTheEmbeddingMatrixAsHead() {
        ReferenceLlama model = load(GeneratorOptions.tiny().withTieEmbeddings(true));
        assertThat(model.logits(new int[] {1, 5})[1]).hasSize(512);
    }

    private static double rotatedDot(float[] q, float[] k, int qPos, int kPos, double[] invFreq) {
        float[] a = q.clone();
        float[] b = k.clone();
        ReferenceLlama.rope(a, 0, a.length, qPos, invFreq);
        ReferenceLlama.rope(b, 0, b.length, kPos, invFreq);
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }
}
