package dev.tandem.bench.memory;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;

/**
 * Streaming-read bandwidth through the engine's own library: {@code sum()} of a large float32 tensor
 * with PyTorch's vectorised CPU kernels on 1 or 2 intra-op threads. JDK 17's JIT does not vectorise a
 * plain Java sum, which can make {@link BandwidthProbe} compute-bound below the memory's speed; this
 * probe does not have that limit, so the bound uses the higher of the two.
 */
public final class TorchBandwidth {
    private TorchBandwidth() {}

    public static BandwidthProbe.Result measure(long bytes, int threads, int passes) {
        ai.djl.engine.Engine.getEngine("PyTorch");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            JniUtils.setNumThreads(threads);
            NDArray a = manager.ones(new Shape(bytes / 4), DataType.FLOAT32);
            a.sum().getFloat(); // warm-up
            double[] gbs = new double[passes];
            for (int i = 0; i < passes; i++) {
                long start = System.nanoTime();
                try (NDArray s = a.sum()) {
                    s.getFloat();
                }
                gbs[i] = a.size() * 4.0 / ((System.nanoTime() - start) / 1e9) / 1e9;
            }
            Arrays.sort(gbs);
            return new BandwidthProbe.Result(threads, a.size() * 4, gbs[passes / 2], gbs[passes - 1], gbs[0]);
        }
    }

    public static void main(String[] args) {
        double gib = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (int t = 1; t <= 2; t++) {
            BandwidthProbe.Result r = measure((long) (gib * (1L << 30)), t, passes);
            System.out.printf("torch bandwidth threads=%d median=%.1fGB/s best=%.1fGB/s%n", t, r.medianGBs(), r.bestGBs());
        }
    }
}
