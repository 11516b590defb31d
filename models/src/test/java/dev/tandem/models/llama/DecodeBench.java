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
import java.util.ArrayList;
import java.util.List;

/**
 * Throwaway measurement (not a test): decode steps of the 110M shape at several batch sizes, straight
 * on {@link LlamaModel#forward}, next to the memory-bandwidth bound. Args: checkpointDir threads batches...
 */
public final class DecodeBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/tandem-110m");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        if (!Files.exists(dir.resolve("config.json"))) {
            CheckpointGenerator.write(dir, GeneratorOptions.shape110M());
        }
        ai.djl.engine.Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        try (Checkpoint ckpt = Checkpoint.open(dir);
                LlamaModel model = LlamaModel.load(ckpt, Device.cpu(), DataType.FLOAT32, null);
                KvCache cache = model.newCache(16 * 256)) {
            double gbps = bandwidth(model.getManager());
            double boundMs = model.weightBytesPerStep() / (gbps * 1e9) * 1e3;
            System.out.printf("threads %d, bandwidth %.1f GB/s, weights/step %.0f MB, bound %.1f ms/step (%.1f tok/s)%n",
                    threads, gbps, model.weightBytesPerStep() / 1e6, boundMs, 1e3 / boundMs);
            int[] batches = {1, 4, 8, 16};
            if (args.length > 2) {
                batches = new int[args.length - 2];
                for (int i = 2; i < args.length; i++) batches[i - 2] = Integer.parseInt(args[i]);
            }
            for (int b : batches) {
                List<Integer> bases = new ArrayList<>();
                for (int i = 0; i < b; i++) bases.add(cache.reserve(256));
                // a 32-token prompt per sequence, then decode
                for (int base : bases) {
                    try (NDManager step = model.getManager().newSubManager()) {
                        int[] prompt = new int[32];
                        for (int t = 0; t < 32; t++) prompt[t] = 100 + t;
                        model.forward(step, cache, List.of(new LlamaModel.Chunk(base, 0, prompt)), false).argMax(1).toLongArray();
                    }
                }
                int steps = 40;
                long start = 0;
                for (int s = 0; s < steps + 5; s++) {
                    if (s == 5) start = System.nanoTime();
                    List<LlamaModel.Chunk> chunks = new ArrayList<>();
                    for (int base : bases) chunks.add(LlamaModel.Chunk.decode(base, 32 + s, 200 + s));
                    try (NDManager step = model.getManager().newSubManager()) {
                        model.forward(step, cache, chunks, false).argMax(1).toLongArray();
                    }
                }
                double ms = (System.nanoTime() - start) / 1e6 / steps;
                System.out.printf("batch %2d: %.1f ms/step, %.1f tok/s aggregate (%.0f%% of bound at batch 1 bytes)%n",
                        b, ms, b * 1e3 / ms, 100 * boundMs / ms);
                for (int base : bases) cache.release(base, 256);
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
