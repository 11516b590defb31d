package dev.tandem.models.step;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.models.checkpoint.Checkpoint;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A tool, not a test: variants of {@code step.py} measured against each other in one process, each
 * figure taken for every variant back to back (the order rotating per repeat), so that the machine's
 * load touches them alike. First each variant's logits are compared with the first one's over a
 * chunked prefill and a few decodes.
 *
 * <pre>
 * StepProgramAb --checkpoint DIR --programs -,variant.py [--dtype bfloat16] [--threads 1] [--decode 1,16]
 *               [--steps 24] [--repeats 5] [--chunks 0:128,15872:512] [--prefill 16384:512]
 * </pre>
 * {@code -} is the program on the class path. A chunk {@code start:length} is one forward of that many tokens
 * at that position over blocks 0..; what the pool holds there does not change its cost. A prefill
 * {@code prompt:chunk} is a whole prompt in chunks, the variants taking turns chunk by chunk, against the
 * 128-token prompt's rate (issue 11's long-prompt figure, with both variants under the same load).
 */
public final class StepProgramAb {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final int PROMPT = 16;

    public static void main(String[] argv) throws IOException {
        java.util.Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        Path checkpointDir = Path.of(a.get("checkpoint"));
        List<String> programs = List.of(a.getOrDefault("programs", "-").split(","));
        ComputeDtype dtype = ComputeDtype.parse(a.getOrDefault("dtype", "bfloat16"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        List<Integer> batches = ints(a.getOrDefault("decode", "1"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "24"));
        int repeats = Integer.parseInt(a.getOrDefault("repeats", "5"));
        List<int[]> chunks = new ArrayList<>();
        for (String c : a.getOrDefault("chunks", "").split(",")) {
            if (!c.isBlank()) {
                String[] p = c.split(":");
                chunks.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])});
            }
        }
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library
        JniUtils.setNumThreads(threads);
        if (a.containsKey("optimize")) {
            JniUtils.setGraphExecutorOptimize(Boolean.parseBoolean(a.get("optimize")));
        }
        int bs = TorchStep.DEFAULT_BLOCK_SIZE;
        int perSequence = (PROMPT + steps + bs) / bs + 1;
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        int[] prefill = a.containsKey("prefill") ? Arrays.stream(a.get("prefill").split(":")).mapToInt(Integer::parseInt).toArray() : null;
        int chunkBlocks = chunks.stream().mapToInt(c -> (c[0] + c[1] + bs - 1) / bs).max().orElse(0);
        if (prefill != null) {
            chunkBlocks = Math.max(chunkBlocks, (prefill[0] + bs - 1) / bs);
        }
        int poolBlocks = Math.max(Math.max(maxBatch * perSequence, chunkBlocks), 8);

        List<TorchStep> variants = new ArrayList<>();
        try (Checkpoint checkpoint = Checkpoint.open(checkpointDir)) {
            for (String p : programs) {
                byte[] text = p.equals("-") ? StepArchive.program() : Files.readAllBytes(Path.of(p));
                TorchStep step = TorchStep.load(checkpoint, Device.cpu(), dtype, bs, null, text);
                step.allocateKv(poolBlocks);
                variants.add(step);
            }
            check(variants, programs);
            if (a.containsKey("fresh")) {
                // the cost of a chunk length never seen before against the same length again
                for (TorchStep v : variants) {
                    for (int n = 100; n < 100 + Integer.parseInt(a.get("fresh")); n++) {
                        double first = chunk(v, 0, n)[0];
                        double again = chunk(v, 0, n)[0];
                        System.out.printf(Locale.ROOT, "fresh length %d: first %.1f ms, again %.1f ms%n", n, first, again);
                    }
                }
            }
            if (a.containsKey("profile")) {
                // PyTorch's profiler over the first variant: a Chrome trace of every op
                int batch = batches.get(0);
                setUpDecode(variants.get(0), batch, perSequence);
                decode(variants.get(0), batch, perSequence, 5);
                for (int[] c : chunks) {
                    chunk(variants.get(0), c[0], c[1]); // warm: a first call of a shape is not its cost
                }
                JniUtils.startProfile(false, true, false);
                decode(variants.get(0), batch, perSequence, steps);
                for (int[] c : chunks) {
                    chunk(variants.get(0), c[0], c[1]);
                }
                JniUtils.stopProfile(a.get("profile"));
                return;
            }
            if (prefill != null) {
                prefill(variants, programs, prefill[0], prefill[1], repeats);
                return;
            }
            for (int batch : batches) {
                double[][] cpu = new double[variants.size()][repeats];
                double[][] wall = new double[variants.size()][repeats];
                for (TorchStep v : variants) {
                    setUpDecode(v, batch, perSequence);
                    decode(v, batch, perSequence, 3); // warm
                }
                for (int r = 0; r < repeats; r++) {
                    for (int k = 0; k < variants.size(); k++) {
                        int i = (k + r) % variants.size();
                        double[] t = decode(variants.get(i), batch, perSequence, steps);
                        cpu[i][r] = t[0];
                        wall[i][r] = t[1];
                    }
                }
                report("decode batch " + batch + " (ms/step)", programs, cpu, wall);
            }
            for (int[] c : chunks) {
                double[][] cpu = new double[variants.size()][repeats];
                double[][] wall = new double[variants.size()][repeats];
                for (TorchStep v : variants) {
                    chunk(v, c[0], c[1]); // warm
                }
                for (int r = 0; r < repeats; r++) {
                    for (int k = 0; k < variants.size(); k++) {
                        int i = (k + r) % variants.size();
                        double[] t = chunk(variants.get(i), c[0], c[1]);
                        cpu[i][r] = t[0];
                        wall[i][r] = t[1];
                    }
                }
                report("chunk of " + c[1] + " at " + c[0] + " (ms)", programs, cpu, wall);
            }
        } finally {
            variants.forEach(TorchStep::close);
        }
    }

    /** Each variant's logits against the first's: a prefill in two chunks, then decodes, then a mixed forward. */
    private static void check(List<TorchStep> variants, List<String> names) {
        List<float[]> first = null;
        for (int i = 0; i < variants.size(); i++) {
            TorchStep s = variants.get(i);
            int[] table = {5, 2, 7, 0, 1, 3, 4, 6};
            int[] other = {6, 4};
            int[] prompt = new int[37];
            for (int t = 0; t < prompt.length; t++) {
                prompt[t] = 1 + (t * 7919) % (s.vocabSize() - 1);
            }
            List<float[]> out = new ArrayList<>();
            out.add(s.forward(List.of(new ModelStep.Chunk(Arrays.copyOf(prompt, 20), 0, table))));
            out.add(s.forward(List.of(new ModelStep.Chunk(Arrays.copyOfRange(prompt, 20, 37), 20, table))));
            for (int d = 0; d < 6; d++) {
                out.add(s.forward(List.of(new ModelStep.Chunk(new int[] {3 + d}, 37 + d, table),
                        new ModelStep.Chunk(new int[] {9 + d}, d, other))));
            }
            out.add(s.forward(List.of(new ModelStep.Chunk(new int[] {11}, 43, table),
                    new ModelStep.Chunk(new int[] {4, 5, 6}, 6, other))));
            if (first == null) {
                first = out;
                continue;
            }
            double worst = 0;
            int argmaxDiffer = 0;
            int vocab = s.vocabSize();
            for (int k = 0; k < out.size(); k++) {
                float[] x = out.get(k);
                float[] y = first.get(k);
                for (int j = 0; j < x.length; j++) {
                    worst = Math.max(worst, Math.abs(x[j] - y[j]));
                }
                for (int row = 0; row < x.length / vocab; row++) {
                    if (argmax(x, row * vocab, vocab) != argmax(y, row * vocab, vocab)) {
                        argmaxDiffer++;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "check %s vs %s: max |logit difference| %.3g, greedy rows differing %d%n",
                    names.get(i), names.get(0), worst, argmaxDiffer);
        }
    }

    /**
     * The {@code prompt}-token prefill in {@code chunk}-token chunks, each chunk taken by every variant in turn
     * (the order rotating), against the median of {@code repeats} 128-token prefills taken the same way.
     */
    private static void prefill(List<TorchStep> variants, List<String> names, int prompt, int chunk, int repeats) {
        int n = variants.size();
        double[][] short128 = new double[n][repeats];
        double[][] short128Wall = new double[n][repeats];
        for (TorchStep v : variants) {
            chunk(v, 0, 128); // warm
        }
        for (int r = 0; r < repeats; r++) {
            for (int k = 0; k < n; k++) {
                int i = (k + r) % n;
                double[] t = chunk(variants.get(i), 0, 128);
                short128[i][r] = t[0];
                short128Wall[i][r] = t[1];
            }
        }
        double[] cpu = new double[n];
        double[] wall = new double[n];
        int turn = 0;
        for (int start = 0; start < prompt; start += chunk, turn++) {
            for (int k = 0; k < n; k++) {
                int i = (k + turn) % n;
                double[] t = chunk(variants.get(i), start, Math.min(chunk, prompt - start));
                cpu[i] += t[0];
                wall[i] += t[1];
            }
        }
        System.out.printf(Locale.ROOT, "prefill of %d in chunks of %d: 128-token prefill CPU ms | wall ms (medians) | %d-token CPU s | wall s"
                + " | rate ratio to 128 (CPU) | (wall)%n", prompt, chunk, prompt);
        for (int i = 0; i < n; i++) {
            double rate128 = 128 / median(short128[i]);
            double rateLong = prompt / cpu[i];
            double wallRate128 = 128 / median(short128Wall[i]);
            double wallRateLong = prompt / wall[i];
            System.out.printf(Locale.ROOT, "  %-40s %8.1f | %8.1f | %8.1f | %8.1f | %.1f%% | %.1f%%%n", names.get(i), median(short128[i]),
                    median(short128Wall[i]), cpu[i] / 1e3, wall[i] / 1e3, 100 * rateLong / rate128, 100 * wallRateLong / wallRate128);
        }
    }

    private static void setUpDecode(TorchStep s, int batch, int perSequence) {
        for (int q = 0; q < batch; q++) {
            int[] prompt = new int[PROMPT];
            Arrays.fill(prompt, 7 + q);
            s.forward(List.of(new ModelStep.Chunk(prompt, 0, table(q, perSequence))));
        }
    }

    /** ms per step, thread CPU and wall, of {@code steps} decodes of {@code batch} sequences. */
    private static double[] decode(TorchStep s, int batch, int perSequence, int steps) {
        long cpu0 = CPU.getCurrentThreadCpuTime();
        long user0 = CPU.getCurrentThreadUserTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            List<ModelStep.Chunk> chunks = new ArrayList<>(batch);
            for (int q = 0; q < batch; q++) {
                chunks.add(new ModelStep.Chunk(new int[] {5 + i}, PROMPT + i, table(q, perSequence)));
            }
            s.forward(chunks);
        }
        if (Boolean.getBoolean("ab.sys")) {
            System.out.printf(Locale.ROOT, "    decode %d: cpu %.2f ms/step, of which system %.2f%n", batch,
                    (CPU.getCurrentThreadCpuTime() - cpu0) / 1e6 / steps, ((CPU.getCurrentThreadCpuTime() - cpu0) - (CPU.getCurrentThreadUserTime() - user0)) / 1e6 / steps);
        }
        return new double[] {(CPU.getCurrentThreadCpuTime() - cpu0) / 1e6 / steps, (System.nanoTime() - wall0) / 1e6 / steps};
    }

    private static double[] chunk(TorchStep s, int start, int length) {
        int bs = s.blockSize();
        int[] table = new int[(start + length + bs - 1) / bs];
        for (int b = 0; b < table.length; b++) {
            table[b] = b;
        }
        int[] tokens = new int[length];
        for (int t = 0; t < length; t++) {
            tokens[t] = 1 + (t * 31) % (s.vocabSize() - 1);
        }
        long cpu0 = CPU.getCurrentThreadCpuTime();
        long user0 = CPU.getCurrentThreadUserTime();
        long wall0 = System.nanoTime();
        s.forward(List.of(new ModelStep.Chunk(tokens, start, table)));
        if (Boolean.getBoolean("ab.sys")) {
            System.out.printf(Locale.ROOT, "    chunk %d:%d cpu %.1f ms, of which system %.1f ms%n", start, length,
                    (CPU.getCurrentThreadCpuTime() - cpu0) / 1e6, ((CPU.getCurrentThreadCpuTime() - cpu0) - (CPU.getCurrentThreadUserTime() - user0)) / 1e6);
        }
        return new double[] {(CPU.getCurrentThreadCpuTime() - cpu0) / 1e6, (System.nanoTime() - wall0) / 1e6};
    }

    private static int[] table(int sequence, int perSequence) {
        int[] t = new int[perSequence];
        for (int b = 0; b < perSequence; b++) {
            t[b] = sequence * perSequence + b;
        }
        return t;
    }

    private static void report(String what, List<String> names, double[][] cpu, double[][] wall) {
        // At more than one thread the calling thread's CPU time is about its wall time (OpenMP's workers spin
        // at the barriers): the paired wall ratio is the figure then
        System.out.println(what + ": median CPU | median wall | median of paired CPU ratios to the first | of paired wall ratios | all CPU");
        for (int i = 0; i < names.size(); i++) {
            double[] ratios = new double[cpu[i].length];
            double[] wallRatios = new double[cpu[i].length];
            for (int r = 0; r < ratios.length; r++) {
                ratios[r] = cpu[i][r] / cpu[0][r];
                wallRatios[r] = wall[i][r] / wall[0][r];
            }
            StringBuilder all = new StringBuilder();
            for (double c : cpu[i]) {
                all.append(String.format(Locale.ROOT, " %.2f", c));
            }
            System.out.printf(Locale.ROOT, "  %-40s %9.2f | %9.2f | %.3f | %.3f |%s%n", names.get(i), median(cpu[i]), median(wall[i]),
                    median(ratios), median(wallRatios), all);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static int argmax(float[] x, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[from + i] > x[from + best]) {
                best = i;
            }
        }
        return best;
    }

    private static List<Integer> ints(String s) {
        return Arrays.stream(s.split(",")).filter(x -> !x.isBlank()).map(Integer::parseInt).toList();
    }
}
