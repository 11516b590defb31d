package dev.tandem.server.config;

import dev.tandem.models.EngineConfig;
import java.nio.file.Path;

/**
 * The local engine, as configured. {@code checkpoint} empty: the demo checkpoint is generated and
 * used; {@code modelId} empty: the checkpoint directory's name.
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
        Check.that(device != null && !device.isBlank(), "engine.device must be set (auto, cpu, gpu, gpu:N)");
        Check.that(dtype != null && !dtype.isBlank(), "engine.dtype must be set (auto, float32, float16, bfloat16)");
        Check.that(maxRunning >= 1, "engine.maxRunning must be >= 1");
        Check.that(maxWaiting >= 0, "engine.maxWaiting must be >= 0");
        Check.that(kvTokenBudget >= 0, "engine.kvTokenBudget must be >= 0 (0: automatic)");
        Check.that(prefillChunk >= 1, "engine.prefillChunk must be >= 1");
        Check.that(threads >= 0, "engine.threads must be >= 0 (0: the engine's default)");
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

    public EngineSettings withCheckpoint(String v) {
        return new EngineSettings(v, modelId, device, dtype, maxRunning, maxWaiting, kvTokenBudget, prefillChunk, threads);
    }

    public EngineSettings withQueue(int running, int waiting) {
        return new EngineSettings(checkpoint, modelId, device, dtype, running, waiting, kvTokenBudget, prefillChunk, threads);
    }
}
