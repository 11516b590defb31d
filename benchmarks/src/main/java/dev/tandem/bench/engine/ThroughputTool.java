package dev.tandem.bench.engine;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.bench.Args;
import dev.tandem.bench.memory.BandwidthProbe;
import dev.tandem.bench.memory.TorchBandwidth;
import dev.tandem.bench.report.Figures;
import dev.tandem.bench.report.Markdown;
import dev.tandem.models.Engine;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.step.ComputeDtype;
import dev.tandem.models.step.TorchStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decode throughput of the engine (through {@code LocalEngine}: scheduler, sampling, events): aggregate
 * tokens/s at each batch size, compute dtype and thread count, set against the memory-bandwidth bound
 * for that dtype's weight bytes, measured in the same process just before.
 *
 * <pre>
 * ThroughputTool [--shape 110m] [--dtypes auto,float32] [--batches 1,4,8,16] [--threads 1,2] [--tokens 64]
 *                [--repeats 3] [--bandwidth-gib 2] [--model-only] [--out DIR] [--name throughput]
 * </pre>
 * A batch run submits {@code batch} greedy generations of {@code tokens} tokens together; its rate is
 * counted while all of them decode (prefill left out). The figure is the median of the repeats.
 * {@code --model-only} adds the same decode step on the TorchScript step alone (no scheduler), so that
 * the engine's own share of a step shows.
 */
public final class ThroughputTool {
    /** The targets for bfloat16: batch 1 at half the bound, 8 streams at 4.5x batch 1. */
    static final double BOUND_SHARE_TARGET = 0.5;
    static final double EIGHT_STREAMS_TARGET = 4.5;

    /** {@code stepOnlyMs}: the same decode step on the step alone (no scheduler); NaN when not measured. */
    record Row(ComputeDtype dtype, int threads, int batch, double tokensPerSecond, double stepMs, double[] runs, double stepOnlyMs) {}

    /** How each bandwidth probe did, for the report. */
    private static final StringBuilder probes = new StringBuilder();

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String shapeName = args.get("shape", Checkpoints.SHAPE_110M);
        List<ComputeDtype> dtypes = args.list("dtypes", "auto,float32").stream().map(EngineRuns::dtype).distinct().toList();
        List<Integer> batches = args.list("batches", "1,4,8,16").stream().map(Integer::parseInt).toList();
        List<Integer> threadCounts = args.list("threads", "1,2").stream().map(Integer::parseInt).toList();
        int tokens = args.getInt("tokens", 64);
        int repeats = args.getInt("repeats", 3);
        Path checkpoint = Checkpoints.get(shapeName);
        ModelShape shape = ModelShape.read(checkpoint);

        // Bandwidth first, in this process, then its memory is released before the engine loads. Two
        // probes: a Java sum (no JIT vectorisation in JDK 17: may be compute-bound) and PyTorch's
        // vectorised sum; the bound uses the faster, so that it is never understated.
        Map<Integer, BandwidthProbe.Result> bandwidth = new LinkedHashMap<>();
        long regionBytes = (long) (args.getDouble("bandwidth-gib", 2) * (1L << 30));
        int passes = args.getInt("bandwidth-passes", 5);
        Map<Integer, BandwidthProbe.Result> javaSum = new LinkedHashMap<>();
        try (BandwidthProbe probe = new BandwidthProbe(regionBytes)) {
            for (int t = 1; t <= 2; t++) {
                javaSum.put(t, probe.measure(t, passes));
            }
        }
        System.gc();
        for (int t = 1; t <= 2; t++) {
            BandwidthProbe.Result j = javaSum.get(t);
            BandwidthProbe.Result torch = TorchBandwidth.measure(regionBytes, t, passes);
            bandwidth.put(t, new BandwidthProbe.Result(t, j.bytes(), Math.max(j.medianGBs(), torch.medianGBs()),
                    Math.max(j.bestGBs(), torch.bestGBs()), Math.max(j.worstGBs(), torch.worstGBs())));
            probes.append(String.format("%d thread(s): Java sum best %.1f / median %.1f GB/s, PyTorch sum best %.1f / median %.1f GB/s. ",
                    t, j.bestGBs(), j.medianGBs(), torch.bestGBs(), torch.medianGBs()));
            System.out.printf("bandwidth %d thread(s): Java best %.1f GB/s, torch best %.1f GB/s%n", t, j.bestGBs(), torch.bestGBs());
        }
        System.gc();

        List<Row> rows = new ArrayList<>();
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        for (int threads : threadCounts) {
            for (ComputeDtype dtype : dtypes) {
                try (Engine engine = EngineRuns.open(checkpoint, dtype.label(), maxBatch, 16 + tokens + 8, threads)) {
                    EngineRuns.runBatch(engine, Math.min(4, maxBatch), 16, Math.min(tokens, 16), -1); // warm-up
                    for (int batch : batches) {
                        double[] runs = new double[repeats];
                        for (int r = 0; r < repeats; r++) {
                            runs[r] = EngineRuns.decodeTokensPerSecond(EngineRuns.runBatch(engine, batch, 16, tokens, 1000L * r));
                        }
                        double median = median(runs);
                        rows.add(new Row(dtype, threads, batch, median, 1000.0 * batch / median, runs, Double.NaN));
                        System.out.printf("%s threads=%d batch=%d decode %.1f tok/s (runs %s)%n", dtype, threads, batch, median,
                                Arrays.toString(runs));
                    }
                }
            }
        }
        if (args.flag("model-only")) {
            rows = withStepOnly(checkpoint, rows, tokens);
        }
        String report = report(shapeName, shape, bandwidth, rows, tokens, repeats);
        System.out.println(report);
        Figures.writeIfAsked(args, "throughput", report, figures(shapeName, shape, bandwidth, rows));
    }

    /**
     * Adds the step-only time: batched greedy decode steps straight on the TorchScript step in the same
     * dtype and thread count (no scheduler, no sampling beyond an argmax, no events).
     */
    static List<Row> withStepOnly(Path checkpoint, List<Row> rows, int steps) {
        List<Row> out = new ArrayList<>();
        int maxBatch = rows.stream().mapToInt(Row::batch).max().orElse(1);
        try (Checkpoint ckpt = Checkpoint.open(checkpoint)) {
            for (ComputeDtype dtype : rows.stream().map(Row::dtype).distinct().toList()) {
                try (TorchStep step = TorchStep.load(ckpt, Device.cpu(), dtype, TorchStep.DEFAULT_BLOCK_SIZE, null)) {
                    step.allocateKv(maxBatch * StepBench.blocksPerDecodeSequence(steps, step.blockSize()));
                    for (Row r : rows) {
                        if (r.dtype() != dtype) {
                            continue;
                        }
                        JniUtils.setNumThreads(r.threads());
                        double ms = StepBench.decodeMillis(step, r.batch(), steps);
                        System.out.printf("%s threads=%d batch=%d step only %.1f ms/step%n", dtype, r.threads(), r.batch(), ms);
                        out.add(new Row(r.dtype(), r.threads(), r.batch(), r.tokensPerSecond(), r.stepMs(), r.runs(), ms));
                    }
                }
            }
        }
        return out;
    }

    private static double median(double[] runs) {
        double[] sorted = runs.clone();
        Arrays.sort(sorted);
        return sorted[runs.length / 2];
    }

    private static double bound(ModelShape shape, Map<Integer, BandwidthProbe.Result> bandwidth, Row r) {
        return shape.boundTokensPerSecond(bandwidth.getOrDefault(r.threads(), bandwidth.get(2)).bestGBs(), r.dtype().bytes());
    }

    private static Row batchOne(List<Row> rows, Row r) {
        return rows.stream().filter(x -> x.dtype() == r.dtype() && x.threads() == r.threads() && x.batch() == 1).findFirst().orElse(null);
    }

    static Map<String, Object> figures(String shapeName, ModelShape shape, Map<Integer, BandwidthProbe.Result> bandwidth, List<Row> rows) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("shape", shapeName);
        f.put("weightBytesPerToken", shape.weightBytesPerToken(4));
        f.put("weightBytesPerToken16", shape.weightBytesPerToken(2));
        bandwidth.forEach((t, r) -> {
            f.put("bandwidthGBs" + t, r.bestGBs());
            f.put("bandwidthMedianGBs" + t, r.medianGBs());
        });
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dtype", r.dtype().label());
            m.put("threads", r.threads());
            m.put("batch", r.batch());
            m.put("tokensPerSecond", r.tokensPerSecond());
            m.put("stepOnlyMs", r.stepOnlyMs());
            m.put("boundTokensPerSecond", bound(shape, bandwidth, r));
            list.add(m);
        }
        f.put("rows", list);
        return f;
    }

    static String report(String shapeName, ModelShape shape, Map<Integer, BandwidthProbe.Result> bandwidth,
                         List<Row> rows, int tokens, int repeats) {
        StringBuilder sb = new StringBuilder("### Engine decode throughput (" + shapeName + ", through LocalEngine, CPU)\n\n");
        sb.append(String.format("Weights read per token: %.1f MB in float32, %.1f MB in 16 bits. Memory bandwidth (streaming sum over %.1f GiB): ",
                shape.weightBytesPerToken(4) / 1e6, shape.weightBytesPerToken(2) / 1e6, bandwidth.get(1).bytes() / (double) (1L << 30)));
        bandwidth.forEach((t, r) -> sb.append(String.format("%d thread(s) best %.1f GB/s (median %.1f); ", t, r.bestGBs(), r.medianGBs())));
        sb.append("\n").append(probes).append("The bound uses the best pass of the faster probe: on a shared machine a slow pass "
                + "understates the bandwidth and would flatter the engine.");
        sb.append(String.format("%nEach figure: median of %d runs, %d tokens per stream, decode only.%n%n", repeats, tokens));
        List<List<String>> cells = new ArrayList<>();
        for (Row r : rows) {
            Row one = batchOne(rows, r);
            double bound = bound(shape, bandwidth, r);
            cells.add(List.of(
                    r.dtype().label(),
                    Integer.toString(r.threads()),
                    Integer.toString(r.batch()),
                    Markdown.num(r.tokensPerSecond(), 1),
                    Markdown.num(r.tokensPerSecond() / r.batch(), 1),
                    Markdown.num(r.stepMs(), 1),
                    Markdown.num(r.stepOnlyMs(), 1),
                    one == null ? "–" : Markdown.num(r.tokensPerSecond() / one.tokensPerSecond(), 2) + "×",
                    r.batch() == 1 ? Markdown.num(bound, 1) + " tok/s → " + Markdown.num(100 * r.tokensPerSecond() / bound, 0) + "%" : "–"));
        }
        sb.append(Markdown.table(List.of("dtype", "threads", "batch", "aggregate tok/s", "per stream tok/s", "ms/step",
                "step-only ms/step", "× batch 1", "bandwidth bound (batch 1)"), cells));
        sb.append("\n*step-only*: the same decode step on the TorchScript step alone (no scheduler, sampling or events).\n");
        sb.append(String.format("%nTargets (bfloat16): batch-1 decode ≥ %.0f%% of the bandwidth bound; 8 streams ≥ %.1f× batch 1.%n",
                100 * BOUND_SHARE_TARGET, EIGHT_STREAMS_TARGET));
        for (Row one : rows.stream().filter(r -> r.batch() == 1).toList()) {
            Row eight = rows.stream().filter(x -> x.dtype() == one.dtype() && x.threads() == one.threads() && x.batch() == 8)
                    .findFirst().orElse(null);
            double pct = 100 * one.tokensPerSecond() / bound(shape, bandwidth, one);
            boolean targeted = one.dtype() == ComputeDtype.BFLOAT16;
            sb.append(String.format("- %s, threads %d: batch 1 %.1f tok/s = %.0f%% of the bound%s", one.dtype(), one.threads(),
                    one.tokensPerSecond(), pct, targeted ? (pct >= 100 * BOUND_SHARE_TARGET ? " (met)" : " (not met)") : ""));
            if (eight != null) {
                double ratio = eight.tokensPerSecond() / one.tokensPerSecond();
                sb.append(String.format("; batch 8 %.1f tok/s = %.2f×%s", eight.tokensPerSecond(), ratio,
                        targeted ? (ratio >= EIGHT_STREAMS_TARGET ? " (met)" : " (not met)") : ""));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
