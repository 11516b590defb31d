package dev.tandem.bench.engine;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.bench.Args;
import dev.tandem.bench.memory.BandwidthProbe;
import dev.tandem.bench.memory.TorchBandwidth;
import dev.tandem.bench.report.Figures;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.step.ComputeDtype;
import dev.tandem.models.step.ModelStep;
import dev.tandem.models.step.TorchStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The forward step alone (no scheduler, no sampling): decode steps at several batch sizes and prefill
 * of a short and a long prompt, for each compute dtype, set against the memory-bandwidth bound
 * measured in the same process at the same thread count.
 *
 * <pre>
 * StepBench [--shape 110m | --checkpoint DIR] [--threads 1] [--dtypes float32,bfloat16] [--batches 1,4,8,16]
 *           [--steps 32] [--repeats 3] [--prefill 128,16384] [--chunk 512] [--bandwidth-gib 2] [--out DIR] [--name step]
 * </pre>
 * Decode: {@code batch} sequences with 16-token prompts in their own blocks step together; a figure is the
 * median over repeats of the mean step time, the engines measured back to back within each repeat. Prefill: one sequence, the prompt in chunks of {@code chunk}
 * tokens; tokens per second over the whole prompt.
 */
public final class StepBench {
    private static final int PROMPT = 16;
    private static final int WARMUP = 3;

    /** @param dtype the compute dtype's label */
    record Row(String dtype, String what, int batch, double millis, double tokensPerSecond) {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Path checkpoint = args.has("checkpoint") ? Path.of(args.get("checkpoint", ".")) : Checkpoints.get(args.get("shape", Checkpoints.SHAPE_110M));
        int threads = args.getInt("threads", 1);
        List<ComputeDtype> dtypes = args.list("dtypes", "float32,bfloat16").stream().map(EngineRuns::dtype).distinct().toList();
        List<Integer> batches = ints(args.list("batches", "1,4,8,16"));
        List<Integer> prefills = ints(args.list("prefill", "128,16384"));
        int steps = args.getInt("steps", 32);
        int repeats = args.getInt("repeats", 3);
        int chunk = args.getInt("chunk", 512);
        ModelShape shape = ModelShape.read(checkpoint);

        // Bandwidth first, at the thread count the steps use: the faster of a Java and a PyTorch sum
        long region = (long) (args.getDouble("bandwidth-gib", 2) * (1L << 30));
        double bandwidth;
        try (BandwidthProbe probe = new BandwidthProbe(region)) {
            bandwidth = probe.measure(threads, 5).bestGBs();
        }
        System.gc();
        bandwidth = Math.max(bandwidth, TorchBandwidth.measure(region, threads, 5).bestGBs());
        System.out.printf(Locale.ROOT, "bandwidth (%d thread(s)): best %.1f GB/s%n", threads, bandwidth);
        JniUtils.setNumThreads(threads);

        // Every dtype's step is loaded first; each figure is then taken for all of them back to back, repeat by
        // repeat, so that a change in the machine's load touches them alike
        List<Row> rows = new ArrayList<>();
        List<TorchStep> loaded = new ArrayList<>();
        try (Checkpoint ckpt = Checkpoint.open(checkpoint)) {
            int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
            int longest = prefills.stream().mapToInt(Integer::intValue).max().orElse(0);
            for (ComputeDtype dtype : dtypes) {
                long start = System.nanoTime();
                TorchStep step = TorchStep.load(ckpt, Device.cpu(), dtype, TorchStep.DEFAULT_BLOCK_SIZE, null);
                loaded.add(step);
                System.out.printf(Locale.ROOT, "%s: loaded in %.1f s, %.0f MB of weights%n", dtype,
                        (System.nanoTime() - start) / 1e9, step.weightBytes() / 1e6);
                int perSequence = blocksPerDecodeSequence(steps, step.blockSize());
                step.allocateKv(Math.max(maxBatch * perSequence, blocks(longest, step.blockSize())));
            }
            for (int batch : batches) {
                double[][] runs = new double[loaded.size()][repeats];
                for (int r = 0; r < repeats; r++) {
                    for (int i = 0; i < loaded.size(); i++) {
                        runs[i][r] = decodeMillis(loaded.get(i), batch, steps);
                    }
                }
                for (int i = 0; i < loaded.size(); i++) {
                    double ms = median(runs[i]);
                    rows.add(print(new Row(loaded.get(i).dtype().label(), "decode", batch, ms, batch * 1000 / ms)));
                }
            }
            for (int prompt : prefills) {
                int reps = prompt > 4096 ? 1 : repeats;
                double[][] runs = new double[loaded.size()][reps];
                for (int r = 0; r < reps; r++) {
                    for (int i = 0; i < loaded.size(); i++) {
                        runs[i][r] = prefillMillis(loaded.get(i), prompt, chunk);
                    }
                }
                for (int i = 0; i < loaded.size(); i++) {
                    double ms = median(runs[i]);
                    rows.add(print(new Row(loaded.get(i).dtype().label(), "prefill " + prompt, 1, ms, prompt * 1000 / ms)));
                }
            }
        } finally {
            loaded.forEach(TorchStep::close);
        }
        String report = report(shape, threads, bandwidth, chunk, rows);
        System.out.println(report);
        Figures.writeIfAsked(args, "step", report, figures(shape, threads, bandwidth, rows));
    }

    /** The rows as figures for the headline table: each with its dtype's batch-1 bound. */
    static Map<String, Object> figures(ModelShape shape, int threads, double bandwidth, List<Row> rows) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("threads", threads);
        f.put("bandwidthGBs", bandwidth);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dtype", r.dtype());
            m.put("what", r.what());
            m.put("batch", r.batch());
            m.put("millis", r.millis());
            m.put("tokensPerSecond", r.tokensPerSecond());
            m.put("boundTokensPerSecond", shape.boundTokensPerSecond(bandwidth, ComputeDtype.parse(r.dtype()).bytes()));
            list.add(m);
        }
        f.put("rows", list);
        return f;
    }

    /** Mean ms of one decode step of {@code batch} sequences, each in its own blocks. */
    static double decodeMillis(ModelStep step, int batch, int steps) {
        int bs = step.blockSize();
        int perSequence = blocksPerDecodeSequence(steps, bs);
        int vocab = step.vocabSize();
        int[][] tables = new int[batch][perSequence];
        for (int s = 0; s < batch; s++) {
            for (int b = 0; b < perSequence; b++) {
                tables[s][b] = s * perSequence + b;
            }
            step.forward(List.of(new ModelStep.Chunk(EngineRuns.promptIds(PROMPT, vocab, s), 0, tables[s])));
        }
        int[] next = new int[batch];
        Arrays.fill(next, 5);
        long start = 0;
        long cpuStart = 0;
        for (int i = 0; i < WARMUP + steps; i++) {
            if (i == WARMUP) {
                start = System.nanoTime();
                cpuStart = CPU.getCurrentThreadCpuTime();
            }
            List<ModelStep.Chunk> chunks = new ArrayList<>(batch);
            for (int s = 0; s < batch; s++) {
                chunks.add(new ModelStep.Chunk(new int[] {next[s]}, PROMPT + i, tables[s]));
            }
            float[] logits = step.forward(chunks);
            for (int s = 0; s < batch; s++) {
                next[s] = argmax(logits, s * vocab, vocab);
            }
        }
        double cpuMs = (CPU.getCurrentThreadCpuTime() - cpuStart) / 1e6 / steps;
        double wallMs = (System.nanoTime() - start) / 1e6 / steps;
        System.out.printf(Locale.ROOT, "  decode batch %d: %.2f ms wall, %.2f ms CPU of this thread%n", batch, wallMs, cpuMs);
        return wallMs;
    }

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    /** ms to prefill a {@code prompt}-token prompt in chunks of {@code chunk}. */
    static double prefillMillis(ModelStep step, int prompt, int chunk) {
        int[] table = new int[blocks(prompt, step.blockSize())];
        for (int b = 0; b < table.length; b++) {
            table[b] = b;
        }
        int[] tokens = EngineRuns.promptIds(prompt, step.vocabSize(), 11);
        long t0 = System.nanoTime();
        for (int start = 0; start < prompt; start += chunk) {
            step.forward(List.of(new ModelStep.Chunk(Arrays.copyOfRange(tokens, start, Math.min(prompt, start + chunk)), start, table)));
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    static String report(ModelShape shape, int threads, double bandwidth, int chunk, List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "### The forward step alone (%d thread(s), bandwidth best %.1f GB/s; prefill chunk %d)%n%n", threads, bandwidth, chunk));
        Map<String, Double> batchOne = new LinkedHashMap<>();
        Map<String, Double> prefill128 = new LinkedHashMap<>();
        rows.stream().filter(r -> r.what().equals("decode") && r.batch() == 1).forEach(r -> batchOne.put(r.dtype(), r.tokensPerSecond()));
        rows.stream().filter(r -> r.what().equals("prefill 128")).forEach(r -> prefill128.put(r.dtype(), r.tokensPerSecond()));
        sb.append("| dtype | what | batch | ms | tok/s | × batch 1 | % of bandwidth bound | × its 128-token prefill rate |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            double bound = shape.boundTokensPerSecond(bandwidth, ComputeDtype.parse(r.dtype()).bytes());
            boolean decode = r.what().equals("decode");
            String vsOne = decode && batchOne.containsKey(r.dtype())
                    ? String.format(Locale.ROOT, "%.2f", r.tokensPerSecond() / batchOne.get(r.dtype())) : "–";
            String vsBound = decode && r.batch() == 1 ? String.format(Locale.ROOT, "%.0f%% of %.1f", 100 * r.tokensPerSecond() / bound, bound) : "–";
            String vsPrefill = r.what().startsWith("prefill") && !r.what().equals("prefill 128") && prefill128.containsKey(r.dtype())
                    ? String.format(Locale.ROOT, "%.0f%%", 100 * r.tokensPerSecond() / prefill128.get(r.dtype())) : "–";
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.1f | %s | %s | %s |%n", r.dtype(), r.what(), r.batch(),
                    r.millis(), r.tokensPerSecond(), vsOne, vsBound, vsPrefill));
        }
        sb.append("\nTargets: bfloat16 batch-1 decode ≥ 50% of the bound; a 16,384-token prompt at ≥ 40% of the 128-token rate.\n");
        return sb.toString();
    }

    private static Row print(Row r) {
        System.out.printf(Locale.ROOT, "%s %s batch %d: %.2f ms, %.1f tok/s%n", r.dtype(), r.what(), r.batch(), r.millis(), r.tokensPerSecond());
        return r;
    }

    private static double median(double[] runs) {
        double[] v = runs.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    static int argmax(float[] logits, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (logits[from + i] > logits[from + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Blocks one sequence of {@link #decodeMillis} takes: its prompt, warm-up and timed steps. */
    static int blocksPerDecodeSequence(int steps, int blockSize) {
        return blocks(PROMPT + WARMUP + steps + 1, blockSize);
    }

    private static int blocks(int positions, int blockSize) {
        return (positions + blockSize - 1) / blockSize;
    }

    private static List<Integer> ints(List<String> list) {
        return list.stream().map(Integer::parseInt).toList();
    }
}
