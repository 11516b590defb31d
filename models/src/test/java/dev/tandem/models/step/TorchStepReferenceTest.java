package dev.tandem.models.step;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.reference.ReferenceLlama;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchStepReferenceTest {
    private static final int[] TOKENS = {1, 300, 45, 101, 7, 260, 499, 12, 88, 3, 150};

    @TempDir Path dir;

    @Test
    void smoke() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withDtype(dev.tandem.models.checkpoint.TensorDtype.BF16));
        try (Checkpoint checkpoint = Checkpoint.open(dir);
             TorchStep step = TorchStep.load(checkpoint, Device.cpu(), ComputeDtype.BFLOAT16, 4, null)) {
            step.allocateKv(8);
            float[][] expected = ReferenceLlama.load(checkpoint).logits(TOKENS);
            int[] table = {5, 2, 7};
            float[] prefill = step.forward(List.of(new ModelStep.Chunk(Arrays.copyOf(TOKENS, 5), 0, table)));
            System.out.println(prefill[0] + " vs " + expected[4][0]);
            for (int p = 5; p < TOKENS.length; p++) {
                float[] got = step.forward(List.of(new ModelStep.Chunk(new int[] {TOKENS[p]}, p, table)));
                System.out.println(got[0] + " vs " + expected[p][0]);
            }
        }
    }
}
