package dev.tandem.server.local;

import dev.tandem.models.EngineConfig;
import dev.tandem.models.step.ComputeDtype;
import dev.tandem.server.core.Assert;
import java.nio.file.Path;

/**
 * The {@code engine:} section: the local engine, as configured. {@code checkpoint} empty: the demo
 * checkpoint is generated and used; {@code modelId} empty: the checkpoint directory's name. Its
 * defaults are in {@code tandem-defaults.yaml}; {@link #toBuilder()} changes a copy.
 *
 * <p>Apart from {@link EngineConfig}, which it becomes ({@link #toEngineConfig}) once the checkpoint is
 * known: this is the file's section, with the file's words ({@code dtype}, a checkpoint that may be the
 * demo's, yet to be generated, empty strings for unset names) and no defaults of its own (the defaults
 * file has them; EngineConfig's builder has the library's, for embedders and tests). The ranges are
 * EngineConfig's rules, checked here once through it so that a bad file fails at load, named as the file
 * names it.
 */
public record EngineSettings(
        String checkpoint,
        String modelId,
        String device,
        String dtype,
        int maxRunning,
        int maxWaiting,
        int kvTokenBudget,
        double kvMemoryFraction,
        int maxModelLen,
        int blockSize,
        boolean prefixCaching,
        int prefillChunk,
        int threads) {

    public EngineSettings(String checkpoint, String modelId, String device, String dtype, int maxRunning, int maxWaiting,
            int kvTokenBudget, double kvMemoryFraction, int maxModelLen, int blockSize, boolean prefixCaching, int prefillChunk,
            int threads) {
        Assert.isTrue(device != null && !device.isBlank(), "engine.device must be set (auto, cpu, gpu, gpu:N)");
        Assert.isTrue(dtype != null && !dtype.isBlank(), "engine.dtype must be set (auto, float32, float16, bfloat16)");
        ComputeDtype.parse(dtype); // a name it does not know: refused here, naming engine.dtype
        this.checkpoint = checkpoint == null ? "" : checkpoint.trim();
        this.modelId = modelId == null ? "" : modelId.trim();
        this.device = device;
        this.dtype = dtype;
        this.maxRunning = maxRunning;
        this.maxWaiting = maxWaiting;
        this.kvTokenBudget = kvTokenBudget;
        this.kvMemoryFraction = kvMemoryFraction;
        this.maxModelLen = maxModelLen;
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
        this.prefillChunk = prefillChunk;
        this.threads = threads;
        try {
            toEngineConfig(Path.of("."));
        } catch (IllegalArgumentException e) { // EngineConfig names the setting as its component: "maxRunning must be >= 1"
            throw new IllegalArgumentException("engine." + e.getMessage(), e);
        }
    }

    public boolean usesDemoCheckpoint() {
        return checkpoint.isEmpty();
    }

    /** The engine's configuration for the checkpoint in {@code dir}. */
    public EngineConfig toEngineConfig(Path dir) {
        return EngineConfig.builder(dir)
                .withModelId(modelId.isEmpty() ? null : modelId)
                .withDevice(device)
                .withComputeDtype(dtype)
                .withMaxRunning(maxRunning)
                .withMaxWaiting(maxWaiting)
                .withKvTokenBudget(kvTokenBudget)
                .withKvMemoryFraction(kvMemoryFraction)
                .withMaxModelLen(maxModelLen)
                .withBlockSize(blockSize)
                .withPrefixCaching(prefixCaching)
                .withPrefillChunk(prefillChunk)
                .withThreads(threads)
                .build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static final class Builder {
        private String checkpoint;
        private String modelId;
        private String device;
        private String dtype;
        private int maxRunning;
        private int maxWaiting;
        private int kvTokenBudget;
        private double kvMemoryFraction;
        private int maxModelLen;
        private int blockSize;
        private boolean prefixCaching;
        private int prefillChunk;
        private int threads;

        private Builder(EngineSettings s) {
            checkpoint = s.checkpoint;
            modelId = s.modelId;
            device = s.device;
            dtype = s.dtype;
            maxRunning = s.maxRunning;
            maxWaiting = s.maxWaiting;
            kvTokenBudget = s.kvTokenBudget;
            kvMemoryFraction = s.kvMemoryFraction;
            maxModelLen = s.maxModelLen;
            blockSize = s.blockSize;
            prefixCaching = s.prefixCaching;
            prefillChunk = s.prefillChunk;
            threads = s.threads;
        }

        public Builder withCheckpoint(String v) {
            checkpoint = v;
            return this;
        }

        public Builder withModelId(String v) {
            modelId = v;
            return this;
        }

        public Builder withDevice(String v) {
            device = v;
            return this;
        }

        public Builder withDtype(String v) {
            dtype = v;
            return this;
        }

        /** Sequences decoded together, and requests queued beyond them. */
        public Builder withQueue(int running, int waiting) {
            maxRunning = running;
            maxWaiting = waiting;
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

        public EngineSettings build() {
            return new EngineSettings(checkpoint, modelId, device, dtype, maxRunning, maxWaiting, kvTokenBudget, kvMemoryFraction,
                    maxModelLen, blockSize, prefixCaching, prefillChunk, threads);
        }
    }
}
