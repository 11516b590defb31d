package dev.tandem.models.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a large tensor into native memory must not go through a heap copy of it. */
class LargeTensorHeapTest {
    private static final int ELEMENTS = 50 * 1024 * 1024; // 100 MB of F16, 200 MB as float32

    @TempDir
    Path dir;

    @Test
    void copyFloatsToADirectBufferKeepsTheHeapFlat() throws Exception {
        // Given a checkpoint with a 200 MB (as float32) F16 tensor besides the tiny model
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        tensors.add(new SafetensorsWriter.Tensor("big.weight", new long[] {ELEMENTS / 1024, 1024}, pattern()));
        SafetensorsWriter.write(dir.resolve("extra.safetensors"), tensors, TensorDtype.F16);
        java.nio.file.Files.move(dir.resolve("model.safetensors"), dir.resolve("a.safetensors")); // unindexed set
        FloatBuffer destination = ByteBuffer.allocateDirect(ELEMENTS * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();

        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            TensorView big = checkpoint.tensor("big.weight");
            assertThat(big.byteSize()).isEqualTo(ELEMENTS * 2L);

            // When it is widened into a direct buffer
            System.gc();
            long before = heapUsed();
            resetPeaks();
            big.copyFloatsTo(destination);
            long peakGrowth = heapPeak() - before;

            // Then the heap grew by far less than the tensor (generous bound: 50 MB against 200 MB)
            assertThat(peakGrowth).isLessThan(50L << 20);
            // and the values arrived
            assertThat(destination.position()).isEqualTo(ELEMENTS);
            for (int i : new int[] {0, 1, 4095, ELEMENTS / 2 + 7, ELEMENTS - 1}) {
                assertThat(destination.get(i)).isEqualTo(valueAt(i));
            }
        }
    }

    /** Values exactly representable in F16, so they read back exactly. */
    private static float valueAt(long i) {
        return (i % 1000) / 8f;
    }

    private static SafetensorsWriter.ValueSource pattern() {
        long[] next = {0};
        return (dst, count) -> {
            for (int i = 0; i < count; i++) {
                dst[i] = valueAt(next[0]++);
            }
        };
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    }

    private static long heapUsed() {
        return heapPools().stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    }

    private static void resetPeaks() {
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** Sum of each pool's peak: never below the true peak, so the bound errs on the strict side. */
    private static long heapPeak() {
        return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }
}
