package dev.tandem.models.llama;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.tandem.models.checkpoint.Checkpoint;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvCacheConsistencyTest {
    @TempDir Path dir;

    @Test
    void decodeWithCacheEqualsFullRecomputation() throws Exception {
        MiniCheckpoint.write(dir, 32, 4, 2, 2, 48, 64, 10000, 1);
        try (Checkpoint ckpt = Checkpoint.open(dir);
                LlamaModel model = LlamaModel.load(ckpt, Device.cpu(), DataType.FLOAT32, null);
                KvCache cache = model.newCache(64)) {
            int[] tokens = {5, 9, 33, 2, 17, 40, 8, 3, 60, 11};
            int base = cache.reserve(tokens.length);
            // Given a prompt of 4 tokens prefilled, then 6 decode steps
            float[][] stepwise = new float[tokens.length][];
            try (NDManager step = model.getManager().newSubManager()) {
                NDArray all = model.forward(step, cache, List.of(new LlamaModel.Chunk(base, 0, Arrays.copyOf(tokens, 4))), true);
                for (int i = 0; i < 4; i++) stepwise[i] = all.get(i).toFloatArray();
            }
            for (int p = 4; p < tokens.length; p++) {
                try (NDManager step = model.getManager().newSubManager()) {
                    stepwise[p] = model.forward(step, cache, List.of(LlamaModel.Chunk.decode(base, p, tokens[p])), false).get(0).toFloatArray();
                }
            }
            // When everything is recomputed in one forward in a fresh range
            int other = cache.reserve(tokens.length);
            try (NDManager step = model.getManager().newSubManager()) {
                NDArray full = model.forward(step, cache, List.of(new LlamaModel.Chunk(other, 0, tokens)), true);
                for (int p = 0; p < tokens.length; p++) {
                    float[] expected = full.get(p).toFloatArray();
                    for (int v = 0; v < expected.length; v++) {
                        assertThat(stepwise[p][v]).as("pos %d vocab %d", p, v).isCloseTo(expected[v], org.assertj.core.data.Offset.offset(1e-4f));
                    }
                }
            }
        }
    }
}
