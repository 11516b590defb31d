package dev.tandem.bench.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.bench.Args;
import dev.tandem.bench.memory.BandwidthProbe;
import dev.tandem.bench.memory.TorchBandwidth;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.llama.KvCache;
import dev.tandem.models.llama.LlamaModel;
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
 * measured in the same process at the same thread count, and against today's NDArray engine
 * ({@link LlamaModel}, float32, the loop of {@code DecodeProbe}) in the same run.
 *
 * <pre>
 * StepBench [--shape 110m | --checkpoint DIR] [--threads 1] [--dtypes float32,bfloat16] [--batches 1,4,8,16]
 *           [--steps 32] [--repeats 3] [--prefill 128,16384] [--chunk 512] [--baseline true] [--bandwidth-gib 2]
 * </pre>
 * Decode: {@code batch} sequences with 16-token prompts in their own blocks step together; a figure is the
 * median over repeats of the mean step time, the engines measured back to back within each repeat. Prefill: one sequence, the prompt in chunks of {@code chunk}
 * tokens; tokens per second over the whole prompt.
 */
public final class StepBench {
    private static final int PROMPT = 16;
    private static final int WARMUP = 3;

    record Row(String engine, String what, int batch, double millis, double tokensPerSecond) {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Path checkpoint = args.has("checkpoint") ? Path.of(args.get("checkpoint", ".")) : Checkpoints.get(args.get("shape", Checkpoints.SHAPE_110M));
        int threads = args.getInt("threads", 1);
        List<ComputeDtype> dtypes = args.list("dtypes", "float32,bfloat16").stream().map(ComputeDtype::parse).toList();
        List<Integer> batches = ints(args.list("batches", "1,4,8,16"));
        List<Integer> prefills = ints(args.list("prefill", "128,16384"));
        int steps = args.getInt("steps", 32);
        int repeats = args.getInt("repeats", 3);
        int chunk = args.getInt("chunk", 512);
        boolean baseline = Boolean.parseBoolean(args.get("baseline", "true"));
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

        // Every engine is loaded first; each figure is then taken for all of them back to back, repeat by
        // repeat, so that a change in the machine's load touches them alike
        List<Row> rows = new ArrayList<>();
        List<Subject> subjects = new ArrayList<>();
        try (Checkpoint ckpt = Checkpoint.open(checkpoint)) {
            int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
            if (baseline) {
                subjects.add(new Today(LlamaModel.load(ckpt, Device.cpu(), DataType.FLOAT32, null)));
            }
            for (ComputeDtype dtype : dtypes) {
                long start = System.nanoTime();
                TorchStep step = TorchStep.load(ckpt, Device.cpu(), dtype, TorchStep.DEFAULT_BLOCK_SIZE, null);
                System.out.printf(Locale.ROOT, "%s: loaded in %.1f s, %.0f MB of weights%n", dtype,
                        (System.nanoTime() - start) / 1e9, step.weightBytes() / 1e6);
                int longest = prefills.stream().mapToInt(Integer::intValue).max().orElse(0);
                int perSequence = blocks(PROMPT + WARMUP + steps + 1, step.blockSize());
                step.allocateKv(Math.max(maxBatch * perSequence, blocks(longest, step.blockSize())));
                subjects.add(new Step(step));
            }
            for (int batch : batches) {
                Map<Subject, double[]> runs = new LinkedHashMap<>();
                for (int r = 0; r < repeats; r++) {
                    for (Subject subject : subjects) {
                        runs.computeIfAbsent(subject, k -> new double[repeats])[r] = subject.decodeMillis(batch, steps);
                    }
                }
                runs.forEach((subject, ms) -> rows.add(print(new Row(subject.name(), "decode", batch, median(ms), batch * 1000 / median(ms)))));
            }
            for (int prompt : prefills) {
                int reps = prompt > 4096 ? 1 : repeats;
                Map<Subject, double[]> runs = new LinkedHashMap<>();
                for (int r = 0; r < reps; r++) {
                    for (Subject subject : subjects) {
                        if (subject.prefills(prompt)) {
                            runs.computeIfAbsent(subject, k -> new double[reps])[r] = subject.prefillMillis(prompt, chunk);
                        }
                    }
                }
                runs.forEach((subject, ms) -> rows.add(print(new Row(subject.name(), "prefill " + prompt, 1, median(ms), prompt * 1000 / median(ms)))));
            }
        } finally {
            subjects.forEach(Subject::close);
        }
        System.out.println(report(shape, threads, bandwidth, chunk, rows));
    }

    /** An engine under test. */
    private interface Subject extends AutoCloseable {
        String name();

        double decodeMillis(int batch, int steps);

        boolean prefills(int prompt);

        double prefillMillis(int prompt, int chunk);

        @Override
        void close();
    }

    /** Today's NDArray engine, float32, straight on the model (prompts up to 2,048 tokens: it builds a chunk x length mask in Java). */
    private record Today(LlamaModel model) implements Subject {
        public String name() {
            return "today float32";
        }

        public double decodeMillis(int batch, int steps) {
            return todayDecodeMillis(model, batch, steps);
        }

        public boolean prefills(int prompt) {
            return prompt <= 2048;
        }

        public double prefillMillis(int prompt, int chunk) {
            try (KvCache cache = model.newCache(prompt); NDManager step = model.getManager().newSubManager()) {
                int[] tokens = EngineRuns.promptIds(prompt, model.config().vocabSize(), 11);
                long t0 = System.nanoTime();
                model.forward(step, cache, List.of(new LlamaModel.Chunk(cache.reserve(prompt), 0, tokens)), false).toFloatArray();
                return (System.nanoTime() - t0) / 1e6;
            }
        }

        public void close() {
            model.close();
        }
    }

    /** The TorchScript step in one compute dtype. */
    private record Step(TorchStep step) implements Subject {
        public String name() {
            return "step " + step.dtype();
        }

        public double decodeMillis(int batch, int steps) {
            return StepBench.decodeMillis(step, batch, steps);
        }

        public boolean prefills(int prompt) {
            return true;
        }

        public double prefillMillis(int prompt, int chunk) {
            return StepBench.prefillMillis(step, prompt, chunk);
        }

        public void close() {
            step.close();
        }
    }

    /** DecodeProbe's loop (greedy steps straight on today's model), timed in wall and thread CPU time. */
    static double todayDecodeMillis(LlamaModel model, int batch, int steps) {
        int perSequence = PROMPT + WARMUP + steps;
        try (KvCache cache = model.newCache(batch * perSequence)) {
            int[] bases = new int[batch];
            for (int b = 0; b < batch; b++) {
                bases[b] = cache.reserve(perSequence);
                try (NDManager step = model.getManager().newSubManager()) {
                    int[] prompt = EngineRuns.promptIds(PROMPT, model.config().vocabSize(), b);
                    model.forward(step, cache, List.of(new LlamaModel.Chunk(bases[b], 0, prompt)), false).toFloatArray();
                }
            }
            long[] next = new long[batch];
            long start = 0;
            long cpuStart = 0;
            for (int s = 0; s < WARMUP + steps; s++) {
                if (s == WARMUP) {
                    start = System.nanoTime();
                    cpuStart = CPU.getCurrentThreadCpuTime();
                }
                List<LlamaModel.Chunk> chunks = new ArrayList<>(batch);
                for (int b = 0; b < batch; b++) {
                    chunks.add(LlamaModel.Chunk.decode(bases[b], PROMPT + s, (int) next[b]));
                }
                try (NDManager step = model.getManager().newSubManager()) {
                    next = model.forward(step, cache, chunks, false).argMax(1).toLongArray();
                }
            }
            double cpuMs = (CPU.getCurrentThreadCpuTime() - cpuStart) / 1e6 / steps;
            double wallMs = (System.nanoTime() - start) / 1e6 / steps;
            System.out.printf(Locale.ROOT, "  today decode batch %d: %.2f ms wall, %.2f ms CPU of this thread%n", batch, wallMs, cpuMs);
            return wallMs;
        }
    }

    /** Mean ms of one decode step of {@code batch} sequences, each in its own blocks. */
    static double decodeMillis(ModelStep step, int batch, int steps) {
        int bs = step.blockSize();
        int perSequence = blocks(PROMPT + WARMUP + steps + 1, bs);
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
        long cpuStart = CPU.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int start = 0; start < prompt; start += chunk) {
            step.forward(List.of(new ModelStep.Chunk(Arrays.copyOfRange(tokens, start, Math.min(prompt, start + chunk)), start, table)));
        }
        double wallMs = (System.nanoTime() - t0) / 1e6;
        System.out.printf(Locale.ROOT, "  prefill %d: %.1f ms wall, %.1f ms CPU of this thread%n", prompt, wallMs,
                (CPU.getCurrentThreadCpuTime() - cpuStart) / 1e6);
        return wallMs;
    }

    static String report(ModelShape shape, int threads, double bandwidth, int chunk, List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "### The forward step alone (%d thread(s), bandwidth best %.1f GB/s; prefill chunk %d)%n%n", threads, bandwidth, chunk));
        Map<String, Double> batchOne = new LinkedHashMap<>();
        Map<String, Double> prefill128 = new LinkedHashMap<>();
        rows.stream().filter(r -> r.what().equals("decode") && r.batch() == 1).forEach(r -> batchOne.put(r.engine(), r.tokensPerSecond()));
        rows.stream().filter(r -> r.what().equals("prefill 128")).forEach(r -> prefill128.put(r.engine(), r.tokensPerSecond()));
        sb.append("| engine | what | batch | ms | tok/s | × batch 1 | % of bandwidth bound | × today |\n|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            int bytes = r.engine().contains("float32") ? 4 : 2;
            double bound = shape.boundTokensPerSecond(bandwidth, bytes);
            boolean decode = r.what().equals("decode");
            String vsOne = decode ? String.format(Locale.ROOT, "%.2f", r.tokensPerSecond() / batchOne.get(r.engine())) : "–";
            String vsBound = decode && r.batch() == 1 ? String.format(Locale.ROOT, "%.0f%% of %.1f", 100 * r.tokensPerSecond() / bound, bound) : "–";
            Row today = rows.stream().filter(t -> t.engine().startsWith("today") && t.what().equals(r.what()) && t.batch() == r.batch())
                    .findFirst().orElse(null);
            String vsToday = today == null || r == today ? "–" : String.format(Locale.ROOT, "%.2f", r.tokensPerSecond() / today.tokensPerSecond());
            if (r.what().startsWith("prefill") && !r.what().equals("prefill 128") && prefill128.containsKey(r.engine())) {
                vsToday += String.format(Locale.ROOT, " (%.0f%% of its 128-token rate)", 100 * r.tokensPerSecond() / prefill128.get(r.engine()));
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.1f | %s | %s | %s |%n", r.engine(), r.what(), r.batch(),
                    r.millis(), r.tokensPerSecond(), vsOne, vsBound, vsToday));
        }
        return sb.toString();
    }

    private static Row print(Row r) {
        System.out.printf(Locale.ROOT, "%s %s batch %d: %.2f ms, %.1f tok/s%n", r.engine(), r.what(), r.batch(), r.millis(), r.tokensPerSecond());
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

    private static int blocks(int positions, int blockSize) {
        return (positions + blockSize - 1) / blockSize;
    }

    private static List<Integer> ints(List<String> list) {
        return list.stream().map(Integer::parseInt).toList();
    }
}
