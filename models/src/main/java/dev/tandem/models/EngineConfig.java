package dev.tandem.models;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the engine runs a checkpoint.
 *
 * @param modelId name served to clients; null: the checkpoint directory's name
 * @param device "auto" (GPU if present), "cpu", "gpu" or "gpu:N"
 * @param computeDtype "auto", "float32", "float16" or "bfloat16". The TorchScript step ({@link Engines#loadStep}):
 *     auto is bfloat16 on CPUs with AVX512_BF16 or AMX and on GPUs of compute capability 8.0+, float16 on
 *     older GPUs, float32 elsewhere; float16 on a CPU is refused. Today's NDArray engine ({@link Engines#open}):
 *     auto is float16 on GPU, float32 on CPU; bfloat16 is refused
 * @param maxRunning sequences decoded together in one batch
 * @param maxWaiting queued requests beyond which submissions are refused as saturated
 * @param kvTokenBudget tokens the KV cache holds over all running sequences; 0: maxRunning × context
 * @param prefillChunk prompt tokens processed per step, so that long prompts do not freeze streams
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
        int prefillChunk,
        int threads) {

    public EngineConfig {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(computeDtype, "computeDtype");
        if (maxRunning < 1) throw new IllegalArgumentException("maxRunning must be >= 1");
        if (maxWaiting < 0) throw new IllegalArgumentException("maxWaiting must be >= 0");
        if (kvTokenBudget < 0) throw new IllegalArgumentException("kvTokenBudget must be >= 0");
        if (prefillChunk < 1) throw new IllegalArgumentException("prefillChunk must be >= 1");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0");
    }

    public static EngineConfig defaults(Path checkpoint) {
        return new EngineConfig(checkpoint, null, "auto", "auto", 16, 64, 0, 256, 0);
    }

    public EngineConfig withModelId(String v) {
        return new EngineConfig(checkpoint, v, device, computeDtype, maxRunning, maxWaiting, kvTokenBudget, prefillChunk, threads);
    }

    public EngineConfig withDevice(String v) {
        return new EngineConfig(checkpoint, modelId, v, computeDtype, maxRunning, maxWaiting, kvTokenBudget, prefillChunk, threads);
    }

    public EngineConfig withComputeDtype(String v) {
        return new EngineConfig(checkpoint, modelId, device, v, maxRunning, maxWaiting, kvTokenBudget, prefillChunk, threads);
    }

    public EngineConfig withMaxRunning(int v) {
        return new EngineConfig(checkpoint, modelId, device, computeDtype, v, maxWaiting, kvTokenBudget, prefillChunk, threads);
    }

    public EngineConfig withMaxWaiting(int v) {
        return new EngineConfig(checkpoint, modelId, device, computeDtype, maxRunning, v, kvTokenBudget, prefillChunk, threads);
    }

    public EngineConfig withKvTokenBudget(int v) {
        return new EngineConfig(checkpoint, modelId, device, computeDtype, maxRunning, maxWaiting, v, prefillChunk, threads);
    }

    public EngineConfig withPrefillChunk(int v) {
        return new EngineConfig(checkpoint, modelId, device, computeDtype, maxRunning, maxWaiting, kvTokenBudget, v, threads);
    }

    public EngineConfig withThreads(int v) {
        return new EngineConfig(checkpoint, modelId, device, computeDtype, maxRunning, maxWaiting, kvTokenBudget, prefillChunk, v);
    }
}
