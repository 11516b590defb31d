package dev.tandem.models;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.LoadProgress;
import dev.tandem.models.kv.FreeMemory;
import dev.tandem.models.kv.KvBudget;
import dev.tandem.models.scheduler.LocalEngine;
import dev.tandem.models.scheduler.SchedulerConfig;
import dev.tandem.models.step.DtypeChoice;
import dev.tandem.models.step.ModelStep;
import dev.tandem.models.step.TorchStep;
import dev.tandem.models.text.HfTokenizer;
import dev.tandem.models.text.PromptFormats;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the local engine.
 *
 * <pre>{@code
 * try (Engine engine = Engines.open(EngineConfig.defaults(Path.of("/models/CodeLlama-13b-Instruct-hf")))) {
 *     Generation g = engine.submit(GenerationRequest.greedy("req-1", Prompt.text("def fib(n):"), 64), event -> {
 *         if (event instanceof GenerationEvent.Token t) System.out.print(t.text());
 *     });
 * }
 * }</pre>
 *
 * <p>Nothing is downloaded: the PyTorch natives come from the Maven jars (CPU) or from
 * {@code PYTORCH_LIBRARY_PATH}; run with {@code OPT_OUT_TRACKING=true} and {@code -Dai.djl.offline=true}.
 */
public final class Engines {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);

    private Engines() {}

    /** Loads the checkpoint (progress logged through SLF4J) and starts serving. */
    public static Engine open(EngineConfig config) {
        return open(config, null);
    }

    /**
     * Loads the checkpoint into the TorchScript step in the compute dtype {@link DtypeChoice} picks (one
     * line logged with the reason), reporting load progress lines to {@code progress} (null: SLF4J), sizes
     * the KV pool from the memory free after the weights (one line logged: blocks, tokens, GiB), runs
     * warm-up forwards at the scheduler's batch sizes and starts serving. Throws
     * {@link dev.tandem.models.checkpoint.CheckpointException} naming the file and tensor when the
     * checkpoint is bad, and IllegalArgumentException saying what to change when the settings cannot
     * work (a device or dtype this machine cannot run, a KV budget too small for one sequence of
     * maxModelLen); nothing stays loaded then.
     */
    public static Engine open(EngineConfig config, LoadProgress.Sink progress) {
        Device device = device(config.device());
        DtypeChoice dtype = DtypeChoice.choose(config.computeDtype(), hardware(device));
        try (Checkpoint checkpoint = Checkpoint.open(config.checkpoint())) {
            checkpoint.validate();
            int maxModelLen = maxModelLen(config, checkpoint.config().maxPositionEmbeddings());
            HfTokenizer tokenizer = HfTokenizer.open(checkpoint);
            TorchStep step = null;
            boolean handedOver = false;
            try {
                PromptFormat format = PromptFormats.forCheckpoint(checkpoint, tokenizer);
                long total = checkpoint.totalBytes();
                LoadProgress loadProgress = progress == null ? LoadProgress.logging(total) : LoadProgress.to(total, progress);
                step = loadStep(config, device, dtype, checkpoint, loadProgress);
                // The KV pool is sized now that the weights are in memory: from what is free after them
                KvBudget budget = KvBudget.choose(
                        new KvBudget.Shape(step.blockSize(), step.bytesPerBlock(), maxModelLen, config.maxRunning(), deviceName(device)),
                        config.kvTokenBudget(), config.kvMemoryFraction(), () -> FreeMemory.bytes(device));
                step.allocateKv(budget.blocks());
                LOG.info(budget.describe());
                String id = config.modelId() != null ? config.modelId() : directoryName(config.checkpoint());
                ModelInfo info = new ModelInfo(id, "LlamaForCausalLM", maxModelLen, checkpoint.config().vocabSize(),
                        step.parameters(), step.dtype().label(), deviceName(device));
                SchedulerConfig scheduling = new SchedulerConfig(config.maxRunning(), config.maxWaiting(), config.prefillChunk(),
                        maxModelLen, config.prefixCaching());
                handedOver = true; // the engine owns the step and the tokenizer from here, also when it fails to start
                return LocalEngine.start(step, tokenizer, format, info, scheduling);
            } catch (RuntimeException | Error e) {
                if (!handedOver) {
                    if (step != null) {
                        step.close();
                    }
                    tokenizer.close();
                }
                throw e;
            }
        }
    }

    /**
     * Loads the TorchScript forward step of {@code checkpoint} on the configured device, in the compute
     * dtype {@link DtypeChoice} picks for {@code config.computeDtype()} there (logged once with the
     * reason; a dtype the device cannot run is refused before anything loads), with KV blocks of
     * {@code config.blockSize()} positions. The KV pool is not allocated yet: size it from
     * {@link ModelStep#bytesPerBlock()} and the memory free now, then call {@link ModelStep#allocateKv}.
     */
    public static TorchStep loadStep(EngineConfig config, Checkpoint checkpoint, LoadProgress progress) {
        Device device = device(config.device());
        return loadStep(config, device, DtypeChoice.choose(config.computeDtype(), hardware(device)), checkpoint, progress);
    }

    private static TorchStep loadStep(EngineConfig config, Device device, DtypeChoice dtype, Checkpoint checkpoint,
            LoadProgress progress) {
        if (!device.isGpu()) {
            // Intra-op threads of PyTorch's CPU kernels (same effect as -Dai.djl.pytorch.num_threads).
            // Default: half the visible CPUs (one per physical core on SMT machines). On the 2-vCPU box
            // one thread decodes as fast as two when idle and is 10x faster when other processes compete
            // (OpenMP's spinning barrier); with OMP_WAIT_POLICY=PASSIVE two threads degrade gracefully.
            JniUtils.setNumThreads(config.threads() > 0 ? config.threads() : defaultThreads());
        }
        LOG.info("compute dtype {} on {} ({})", dtype.dtype(), deviceName(device), dtype.reason());
        TorchStep step = TorchStep.load(checkpoint, device, dtype.dtype(), config.blockSize(), progress);
        LOG.info("weights: {} parameters, {} GiB in {}", String.format(Locale.ROOT, "%,d", step.parameters()),
                String.format(Locale.ROOT, "%.2f", step.weightBytes() / (double) (1L << 30)), step.dtype());
        return step;
    }

    /** The served context: maxModelLen when set (not beyond the checkpoint's), else the checkpoint's window. */
    static int maxModelLen(EngineConfig config, int checkpointContext) {
        if (config.maxModelLen() == 0) {
            return checkpointContext;
        }
        if (config.maxModelLen() > checkpointContext) {
            throw new IllegalArgumentException("maxModelLen " + config.maxModelLen() + " is beyond the checkpoint's context window of "
                    + checkpointContext + " tokens (max_position_embeddings); set it to at most " + checkpointContext + " or 0");
        }
        return config.maxModelLen();
    }

    /** What {@code device} offers for the choice of a compute dtype. */
    static DtypeChoice.Hardware hardware(Device device) {
        if (!device.isGpu()) {
            return DtypeChoice.Hardware.thisCpu();
        }
        String capability = CudaUtils.getComputeCapability(device.getDeviceId()); // "80" or "8.0" for Ampere
        return DtypeChoice.Hardware.gpu(Integer.parseInt(capability.replace(".", "")));
    }

    static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    static Device device(String device) {
        String d = device.trim().toLowerCase(Locale.ROOT);
        int gpus = ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount();
        switch (d) {
            case "auto":
                return gpus > 0 ? Device.gpu() : Device.cpu();
            case "cpu":
                return Device.cpu();
            case "gpu":
            case "cuda":
                d = "gpu:0";
                break;
            default:
                break;
        }
        if (d.startsWith("gpu:") || d.startsWith("cuda:")) {
            int index;
            try {
                index = Integer.parseInt(d.substring(d.indexOf(':') + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + device + "': expected auto, cpu, gpu or gpu:N");
            }
            if (index < 0 || index >= gpus) {
                throw new IllegalArgumentException("device '" + device + "': " + gpus + " GPU(s) visible to PyTorch");
            }
            return Device.gpu(index);
        }
        throw new IllegalArgumentException("device '" + device + "': expected auto, cpu, gpu or gpu:N");
    }

    private static String deviceName(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }

    private static String directoryName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? "local" : name.toString();
    }
}
