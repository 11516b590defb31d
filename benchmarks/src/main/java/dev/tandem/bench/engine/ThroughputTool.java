package dev.tandem.bench.engine;

import dev.tandem.bench.Args;
import dev.tandem.bench.memory.BandwidthProbe;
import dev.tandem.bench.memory.TorchBandwidth;
import dev.tandem.bench.report.Figures;
import dev.tandem.bench.report.Markdown;
import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.models.Engine;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.llama.DecodeProbe;
import dev.tandem.models.llama.LlamaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decode throughput of the engine: aggregate tokens/s at each batch size and thread count, set
 * against the memory-bandwidth bound measured in the same process just before.
 *
 * <pre>
 * ThroughputTool [--shape 110m] [--batches 1,4,8,16] [--threads 1,2] [--tokens 64] [--repeats 3]
 *                [--bandwidth-gib 2] [--model-only] [--out DIR] [--name throughput]
 * </pre>
 * A batch run submits {@code batch} greedy generations of {@code tokens} tokens together; its rate is
 * counted while all of them decode (prefill left out). The figure is the median of the repeats.
 */
public final class ThroughputTool {

    /**
     * {@code modelOnlyStepMs}: the same step straight on the model (no scheduler); {@code productsOnlyStepMs}:
     * only its matrix products, the floor PyTorch's kernels set; NaN when not measured.
     */
    record Row(int threads, int batch, double tokensPerSecond, double stepMs, double[] runs, double modelOnlyStepMs,
               double productsOnlyStepMs) {}

    /** How each bandwidth probe did, for the report. */
    private static final StringBuilder probes = new StringBuilder();

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String shapeName = args.get("shape", Checkpoints.SHAPE_110M);
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
        for (int threads : threadCounts) {
            int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
            try (Engine engine = EngineRuns.open(checkpoint, maxBatch, 16 + tokens + 8, threads)) {
                EngineRuns.runBatch(engine, Math.min(4, maxBatch), 16, Math.min(tokens, 16), -1); // warm-up
                for (int batch : batches) {
                    double[] runs = new double[repeats];
                    for (int r = 0; r < repeats; r++) {
                        runs[r] = EngineRuns.decodeTokensPerSecond(EngineRuns.runBatch(engine, batch, 16, tokens, 1000L * r));
                    }
                    double[] sorted = runs.clone();
                    Arrays.sort(sorted);
                    double median = sorted[repeats / 2];
                    rows.add(new Row(threads, batch, median, 1000.0 * batch / median, runs, Double.NaN, Double.NaN));
                    System.out.printf("threads=%d batch=%d decode %.1f tok/s (runs %s)%n", threads, batch, median, Arrays.toString(runs));
                }
            }
        }
        if (args.flag("model-only")) {
            rows = withModelOnly(checkpoint, rows, tokens);
        }
        String report = report(shapeName, shape, bandwidth, rows, tokens, repeats);
        System.out.println(report);
        if (args.has("out")) {
            Path out = Path.of(args.get("out", "."));
            Files.createDirectories(out);
            Files.writeString(out.resolve(args.get("name", "throughput") + ".md"), report);
            Figures.write(out, args.get("name", "throughput"), figures(shapeName, shape, bandwidth, rows));
        }
    }

    /**
     * Adds the model-only step time (the engine's {@link DecodeProbe}: batched greedy steps straight on
     * the model, no scheduler, no events), so that the scheduler's share of a step shows, and the time
     * of the step's matrix products alone, so that the kernels' share shows.
     */
    static List<Row> withModelOnly(Path checkpoint, List<Row> rows, int steps) throws Exception {
        List<Row> out = new ArrayList<>();
        ai.djl.engine.Engine.getEngine("PyTorch");
        try (Checkpoint ckpt = Checkpoint.open(checkpoint);
             LlamaModel model = LlamaModel.load(ckpt, Device.cpu(), DataType.FLOAT32, null)) {
            for (Row r : rows) {
                JniUtils.setNumThreads(r.threads());
                DecodeProbe.Result probe = DecodeProbe.measure(model, r.batch(), 16, 3, steps);
                DecodeProbe.Result products = DecodeProbe.measureProductsOnly(model, r.batch(), 3, steps);
                System.out.printf("threads=%d batch=%d model-only %.1f ms/step, products only %.1f ms/step%n",
                        r.threads(), r.batch(), probe.millisPerStep(), products.millisPerStep());
                out.add(new Row(r.threads(), r.batch(), r.tokensPerSecond(), r.stepMs(), r.runs(), probe.millisPerStep(),
                        products.millisPerStep()));
            }
        }
        return out;
    }

    static Map<String, Object> figures(String shapeName, ModelShape shape, Map<Integer, BandwidthProbe.Result> bandwidth, List<Row> rows) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("shape", shapeName);
        f.put("weightBytesPerToken", shape.weightBytesPerToken(4));
        bandwidth.forEach((t, r) -> {
            f.put("bandwidthGBs" + t, r.bestGBs());
            f.put("bandwidthMedianGBs" + t, r.medianGBs());
        });
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("threads", r.threads());
            m.put("batch", r.batch());
            m.put("tokensPerSecond", r.tokensPerSecond());
            m.put("modelOnlyStepMs", r.modelOnlyStepMs());
            m.put("productsOnlyStepMs", r.productsOnlyStepMs());
            m.put("boundTokensPerSecond", shape.boundTokensPerSecond(bandwidth.getOrDefault(r.threads(), bandwidth.get(2)).bestGBs(), 4));
            list.add(m);
        }
        f.put("rows", list);
        return f;
    }

    static String report(String shapeName, ModelShape shape, Map<Integer, BandwidthProbe.Result> bandwidth,
                         List<Row> rows, int tokens, int repeats) {
        long bytes = shape.weightBytesPerToken(4);
        StringBuilder sb = new StringBuilder("### Engine decode throughput (" + shapeName + ", float32, CPU)\n\n");
        sb.append(String.format("Weights read per token: %,d bytes (%.1f MB). Memory bandwidth (streaming sum over %.1f GiB): ",
                bytes, bytes / 1e6, bandwidth.get(1).bytes() / (double) (1L << 30)));
        bandwidth.forEach((t, r) -> sb.append(String.format("%d thread(s) best %.1f GB/s (median %.1f); ", t, r.bestGBs(), r.medianGBs())));
        sb.append("\n").append(probes).append("The bound uses the best pass of the faster probe: on a shared machine a slow pass "
                + "understates the bandwidth and would flatter the engine.");
        sb.append(String.format("%nEach figure: median of %d runs, %d tokens per stream, decode only.%n%n", repeats, tokens));
        List<List<String>> cells = new ArrayList<>();
        for (Row r : rows) {
            Row one = rows.stream().filter(x -> x.threads() == r.threads() && x.batch() == 1).findFirst().orElse(null);
            double bw = bandwidth.getOrDefault(r.threads(), bandwidth.get(2)).bestGBs();
            double bound = shape.boundTokensPerSecond(bw, 4);
            cells.add(List.of(
                    Integer.toString(r.threads()),
                    Integer.toString(r.batch()),
                    Markdown.num(r.tokensPerSecond(), 1),
                    Markdown.num(r.tokensPerSecond() / r.batch(), 1),
                    Markdown.num(r.stepMs(), 1),
                    Markdown.num(r.modelOnlyStepMs(), 1),
                    Markdown.num(r.productsOnlyStepMs(), 1),
                    one == null ? "–" : Markdown.num(r.tokensPerSecond() / one.tokensPerSecond(), 2) + "×",
                    r.batch() == 1 ? Markdown.num(bound, 1) + " tok/s → " + Markdown.num(100 * r.tokensPerSecond() / bound, 0) + "%" : "–"));
        }
        sb.append(Markdown.table(List.of("threads", "batch", "aggregate tok/s", "per stream tok/s", "ms/step", "model-only ms/step",
                "products only ms/step", "× batch 1", "bandwidth bound (batch 1)"), cells));
        sb.append("\n*products only*: the step's matrix products alone (same weights, same order, nothing else), the floor that "
                + "PyTorch's kernels set under any engine built on them.\n");
        sb.append("\nTargets: batch-1 decode ≥ 80% of the bandwidth bound; batch 8 ≥ 4× batch 1.\n");
        for (int t : rows.stream().map(Row::threads).distinct().toList()) {
            Row one = rows.stream().filter(x -> x.threads() == t && x.batch() == 1).findFirst().orElse(null);
            Row eight = rows.stream().filter(x -> x.threads() == t && x.batch() == 8).findFirst().orElse(null);
            if (one != null) {
                double bound = shape.boundTokensPerSecond(bandwidth.getOrDefault(t, bandwidth.get(2)).bestGBs(), 4);
                double pct = 100 * one.tokensPerSecond() / bound;
                sb.append(String.format("- threads %d: batch 1 %.1f tok/s = %.0f%% of bound (%s)", t, one.tokensPerSecond(), pct, pct >= 80 ? "met" : "not met"));
                if (eight != null) {
                    double ratio = eight.tokensPerSecond() / one.tokensPerSecond();
                    sb.append(String.format("; batch 8 %.1f tok/s = %.2f× (%s)", eight.tokensPerSecond(), ratio, ratio >= 4 ? "met" : "not met"));
                }
                if (!Double.isNaN(one.productsOnlyStepMs())) {
                    double ceiling = 1000 / one.productsOnlyStepMs();
                    sb.append(String.format("; the products alone allow at most %.1f tok/s = %.0f%% of the bound", ceiling, 100 * ceiling / bound));
                    if (eight != null && !Double.isNaN(eight.productsOnlyStepMs())) {
                        sb.append(String.format(" and %.2f× at batch 8", 8 * one.productsOnlyStepMs() / eight.productsOnlyStepMs()));
                    }
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
