package dev.tandem.models.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Throwaway measurement (a main, not a test): decode steps of the 110M shape at several batch sizes
 * through {@link DecodeProbe}, next to the memory-bandwidth bound measured in the same run.
 * Args: checkpointDir threads batches...
 */
public final class DecodeBench {
    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/tandem-110m");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        if (!Files.exists(dir.resolve("config.json"))) {
            CheckpointGenerator.write(dir, GeneratorOptions.shape110M());
        }
        ai.djl.engine.Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        try (Checkpoint ckpt = Checkpoint.open(dir);
                LlamaModel model = LlamaModel.load(ckpt, Device.cpu(), DataType.FLOAT32, null)) {
            double gbps = bandwidth(model.getManager());
            double boundMs = model.weightBytesPerStep() / (gbps * 1e9) * 1e3;
            System.out.printf("threads %d, bandwidth %.1f GB/s, weights/step %.0f MB, bound %.1f ms/step (%.1f tok/s)%n",
                    threads, gbps, model.weightBytesPerStep() / 1e6, boundMs, 1e3 / boundMs);
            for (int i = 2; i < Math.max(3, args.length); i++) {
                int batch = args.length > 2 ? Integer.parseInt(args[i]) : 1;
                DecodeProbe.Result r = DecodeProbe.measure(model, batch, 32, 5, 40);
                System.out.printf("batch %2d: %.1f ms/step, %.1f tok/s aggregate (step at %.0f%% of the batch-1 bound)%n",
                        batch, r.millisPerStep(), r.tokensPerSecond(), 100 * boundMs / r.millisPerStep());
            }
        }
    }

    /** Streaming read bandwidth through the same library: sum of a 1 GB float tensor. */
    static double bandwidth(NDManager parent) {
        try (NDManager m = parent.newSubManager()) {
            NDArray a = m.ones(new Shape(256L * 1024 * 1024), DataType.FLOAT32);
            a.sum().getFloat();
            long start = System.nanoTime();
            int reps = 5;
            for (int i = 0; i < reps; i++) {
                a.sum().getFloat();
            }
            double s = (System.nanoTime() - start) / 1e9;
            return reps * a.size() * 4.0 / s / 1e9;
        }
    }
}
