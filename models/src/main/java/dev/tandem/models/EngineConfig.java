package dev.tandem.models;

import dev.tandem.models.step.ComputeDtype;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the engine runs a checkpoint. Built with {@link #builder(Path)} (or {@link #defaults(Path)});
 * {@link #toBuilder()} changes a copy. Its checks are the one place of the engine's rules: a message
 * begins with the component's name, which the server's {@code engine:} section prefixes.
 *
 * @param modelId name served to clients; null: the checkpoint directory's name
 * @param device "auto" (GPU if present), "cpu", "gpu" or "gpu:N"
 * @param computeDtype the dtype of the weights, the products and the KV cache: "auto", "float32", "float16" or
 *     "bfloat16". auto is bfloat16 on CPUs with AVX512_BF16 or AMX and on GPUs of compute capability 8.0+,
 *     float16 on older GPUs, float32 elsewhere; float16 on a CPU, and bfloat16 where it would be emulated,
 *     are refused at start
 * @param maxRunning sequences decoded together in one batch
 * @param maxWaiting queued requests beyond the running ones at which submissions are refused as saturated
 * @param kvTokenBudget tokens the KV cache holds over all sequences; 0: sized from free memory
 * @param kvMemoryFraction the share of the memory free after the weights that the KV cache takes when
 *     kvTokenBudget is 0 (vLLM's gpu_memory_utilization, on CPU RAM and GPU memory alike)
 * @param maxModelLen the longest sequence served (prompt + output); 0: the checkpoint's context window
 * @param blockSize positions per KV block
 * @param prefixCaching whether full KV blocks are shared between sequences whose tokens start the same way
 * @param prefillChunk prompt tokens computed per step over all sequences (each running decode adds one),
 *     so that long prompts do not freeze streams
 * @param threads intra-op threads for the CPU; 0: the engine's default
 */
public record EngineConfig(
        Path checkpoint,
        String modelId,
        String device,
        String computeDtype,
        int maxRunning,
        int maxWaiting,
        int kvTokenBudget,
        double kvMemoryFraction,
        int maxModelLen,
        int blockSize,
        boolean prefixCaching,
        int prefillChunk,
        int threads) {

    public EngineConfig {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(computeDtype, "computeDtype");
        ComputeDtype.parse(computeDtype); // a name it does not know is refused here; whether the device runs it, at start
        check(maxRunning >= 1, "maxRunning must be >= 1");
        check(maxWaiting >= 0, "maxWaiting must be >= 0");
        check(kvTokenBudget >= 0, "kvTokenBudget must be >= 0 (0: sized from free memory)");
        check(kvMemoryFraction > 0 && kvMemoryFraction <= 1,
                "kvMemoryFraction must be in (0, 1] (the share of the memory free after the weights), not " + kvMemoryFraction);
        check(maxModelLen >= 0, "maxModelLen must be >= 0 (0: the checkpoint's context window)");
        check(blockSize >= 1 && blockSize <= 1024, "blockSize must be in [1, 1024]");
        check(prefillChunk >= 1, "prefillChunk must be >= 1");
        check(threads >= 0, "threads must be >= 0 (0: the engine's default)");
    }

    /** Every setting at its default. */
    public static EngineConfig defaults(Path checkpoint) {
        return builder(checkpoint).build();
    }

    /**
     * Defaults: device and dtype auto, 16 running, 64 waiting, the KV cache sized as half the memory free
     * after the weights, the checkpoint's context, blocks of 16 with prefix caching, 256 prefill tokens
     * per step, the engine's thread count.
     */
    public static Builder builder(Path checkpoint) {
        return new Builder(checkpoint);
    }

    public Builder toBuilder() {
        return new Builder(checkpoint)
                .withModelId(modelId)
                .withDevice(device)
                .withComputeDtype(computeDtype)
                .withMaxRunning(maxRunning)
                .withMaxWaiting(maxWaiting)
                .withKvTokenBudget(kvTokenBudget)
                .withKvMemoryFraction(kvMemoryFraction)
                .withMaxModelLen(maxModelLen)
                .withBlockSize(blockSize)
                .withPrefixCaching(prefixCaching)
                .withPrefillChunk(prefillChunk)
                .withThreads(threads);
    }

    public static final class Builder {
        private final Path checkpoint;
        private String modelId;
        private String device = "auto";
        private String computeDtype = "auto";
        private int maxRunning = 16;
        private int maxWaiting = 64;
        private int kvTokenBudget;
        private double kvMemoryFraction = 0.5;
        private int maxModelLen;
        private int blockSize = 16;
        private boolean prefixCaching = true;
        private int prefillChunk = 256;
        private int threads;

        private Builder(Path checkpoint) {
            this.checkpoint = checkpoint;
        }

        public Builder withModelId(String v) {
            modelId = v;
            return this;
        }

        public Builder withDevice(String v) {
            device = v;
            return this;
        }

        public Builder withComputeDtype(String v) {
            computeDtype = v;
            return this;
        }

        public Builder withMaxRunning(int v) {
            maxRunning = v;
            return this;
        }

        public Builder withMaxWaiting(int v) {
            maxWaiting = v;
            return this;
        }

        public Builder withKvTokenBudget(int v) {
            kvTokenBudget = v;
            return this;
        }

        public Builder withKvMemoryFraction(double v) {
            kvMemoryFraction = v;
            return this;
        }

        public Builder withMaxModelLen(int v) {
            maxModelLen = v;
            return this;
        }

        public Builder withBlockSize(int v) {
            blockSize = v;
            return this;
        }

        public Builder withPrefixCaching(boolean v) {
            prefixCaching = v;
            return this;
        }

        public Builder withPrefillChunk(int v) {
            prefillChunk = v;
            return this;
        }

        public Builder withThreads(int v) {
            threads = v;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(checkpoint, modelId, device, computeDtype, maxRunning, maxWaiting, kvTokenBudget,
                    kvMemoryFraction, maxModelLen, blockSize, prefixCaching, prefillChunk, threads);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
