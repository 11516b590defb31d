package dev.tandem.server.local;

import dev.tandem.models.EngineConfig;
import dev.tandem.server.core.Assert;
import java.nio.file.Path;

/**
 * The {@code engine:} section: the local engine, as configured. {@code checkpoint} empty: the demo
 * checkpoint is generated and used; {@code modelId} empty: the checkpoint directory's name. Its
 * defaults are in {@code tandem-defaults.yaml}; {@link #toBuilder()} changes a copy.
 */
public record EngineSettings(
        String checkpoint,
        String modelId,
        String device,
        String dtype,
        int maxRunning,
        int maxWaiting,
        int kvTokenBudget,
        int prefillChunk,
        int threads) {

    public EngineSettings {
        checkpoint = checkpoint == null ? "" : checkpoint.trim();
        modelId = modelId == null ? "" : modelId.trim();
        Assert.isTrue(device != null && !device.isBlank(), "engine.device must be set (auto, cpu, gpu, gpu:N)");
        Assert.isTrue(dtype != null && !dtype.isBlank(), "engine.dtype must be set (auto, float32, float16, bfloat16)");
        Assert.isTrue(maxRunning >= 1, "engine.maxRunning must be >= 1");
        Assert.isTrue(maxWaiting >= 0, "engine.maxWaiting must be >= 0");
        Assert.isTrue(kvTokenBudget >= 0, "engine.kvTokenBudget must be >= 0 (0: automatic)");
        Assert.isTrue(prefillChunk >= 1, "engine.prefillChunk must be >= 1");
        Assert.isTrue(threads >= 0, "engine.threads must be >= 0 (0: the engine's default)");
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

        public Builder withPrefillChunk(int v) {
            prefillChunk = v;
            return this;
        }

        public Builder withThreads(int v) {
            threads = v;
            return this;
        }

        public EngineSettings build() {
            return new EngineSettings(checkpoint, modelId, device, dtype, maxRunning, maxWaiting, kvTokenBudget, prefillChunk, threads);
        }
    }
}
