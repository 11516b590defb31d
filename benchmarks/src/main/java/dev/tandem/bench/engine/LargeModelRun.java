package dev.tandem.bench.engine;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.bench.Args;
import dev.tandem.bench.memory.TorchBandwidth;
import dev.tandem.bench.report.Figures;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.LoadProgress;
import dev.tandem.models.step.ComputeDtype;
import dev.tandem.models.step.TorchStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A 7B-class checkpoint on this machine: load time, resident memory (peak and steady, anonymous and
 * file-backed), prefill and decode speed of the TorchScript step, and the decode bound that memory
 * bandwidth sets for its weights. Benchmark only: the checkpoint (about 13.5 GB in BF16) is generated
 * outside the repository, e.g.
 *
 * <pre>
 * java -cp tandem-benchmarks.jar dev.tandem.models.checkpoint.CheckpointGenerator --out weights/codellama-7b-bf16 \
 *   --hidden 4096 --intermediate 11008 --layers 32 --heads 32 --kv-heads 32 --vocab 32016 --max-positions 16384 \
 *   --rope-theta 1000000 --dtype bf16 --shards 3
 * LargeModelRun --checkpoint weights/codellama-7b-bf16 [--dtype bfloat16] [--threads 2] [--prompt 128] [--tokens 16]
 *               [--batches 1,4] [--blocks 64] [--out DIR] [--name large-model]
 * </pre>
 */
public final class LargeModelRun {
    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Path dir = Path.of(args.get("checkpoint", "weights/codellama-7b-bf16"));
        ComputeDtype dtype = EngineRuns.dtype(args.get("dtype", "bfloat16"));
        int threads = args.getInt("threads", 2);
        int prompt = args.getInt("prompt", 128);
        int tokens = args.getInt("tokens", 16);
        int blocks = args.getInt("blocks", 64);
        List<Integer> batches = args.list("batches", "1,4").stream().map(Integer::parseInt).toList();

        double bandwidth = TorchBandwidth.measure(1L << 30, threads, 5).bestGBs();
        System.gc();
        JniUtils.setNumThreads(threads);
        Map<String, Long> before = memory();
        Map<String, String> figures = new LinkedHashMap<>();
        Map<String, Object> numbers = new LinkedHashMap<>();
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            checkpoint.validate();
            long t0 = System.nanoTime();
            try (TorchStep step = TorchStep.load(checkpoint, Device.cpu(), dtype, TorchStep.DEFAULT_BLOCK_SIZE,
                    LoadProgress.to(checkpoint.totalBytes(), System.out::println))) {
                double loadSeconds = (System.nanoTime() - t0) / 1e9;
                System.gc();
                Map<String, Long> loaded = memory();
                numbers.put("checkpointGB", checkpoint.totalBytes() / 1e9);
                numbers.put("dtype", dtype.label());
                numbers.put("threads", threads);
                numbers.put("loadSeconds", loadSeconds);
                numbers.put("weightsGB", step.weightBytes() / 1e9);
                numbers.put("rssAfterLoadGB", loaded.get("VmRSS") / 1e6);
                figures.put("checkpoint", String.format(Locale.ROOT, "%s, %.2f GB on disk, %,d parameters", dir,
                        checkpoint.totalBytes() / 1e9, step.parameters()));
                figures.put("load", String.format(Locale.ROOT, "%.1f s, weights %.2f GB in %s", loadSeconds,
                        step.weightBytes() / 1e9, dtype));
                figures.put("RSS after load", describe(loaded, before));
                step.allocateKv(blocks);
                figures.put("KV pool", String.format(Locale.ROOT, "%d blocks of %d positions, %.0f MB", blocks, step.blockSize(),
                        blocks * (double) step.bytesPerBlock() / 1e6));
                double prefillMs = StepBench.prefillMillis(step, prompt, 512);
                figures.put("prefill " + prompt, String.format(Locale.ROOT, "%.1f s, %.1f tok/s", prefillMs / 1e3, prompt * 1000 / prefillMs));
                double bound = bandwidth * 1e9 / step.weightBytes();
                numbers.put("prefillTokensPerSecond", prompt * 1000 / prefillMs);
                numbers.put("bandwidthGBs", bandwidth);
                numbers.put("boundTokensPerSecond", bound);
                for (int batch : batches) {
                    double ms = StepBench.decodeMillis(step, batch, tokens);
                    double rate = batch * 1000 / ms;
                    numbers.put("decodeTokensPerSecond" + batch, rate);
                    figures.put("decode batch " + batch, String.format(Locale.ROOT, "%.0f ms/step, %.2f tok/s%s", ms, rate,
                            batch == 1 ? String.format(Locale.ROOT, " = %.0f%% of the bound %.2f tok/s (%.1f GB/s, %d threads)",
                                    100 * rate / bound, bound, bandwidth, threads) : ""));
                }
                System.gc();
                Map<String, Long> steady = memory();
                figures.put("RSS steady (after decoding)", describe(steady, before));
                numbers.put("rssSteadyGB", steady.get("VmRSS") / 1e6);
                numbers.put("rssPeakGB", steady.get("VmHWM") / 1e6);
            }
        }
        StringBuilder sb = new StringBuilder("### 7B-class checkpoint on this machine\n\n| figure | value |\n|---|---|\n");
        figures.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        System.out.println(sb);
        Figures.writeIfAsked(args, "large-model", sb.toString(), numbers);
    }

    private static String describe(Map<String, Long> now, Map<String, Long> before) {
        return String.format(Locale.ROOT, "%.2f GB (anonymous %.2f, file-backed %.2f); peak so far %.2f GB; before loading %.2f GB",
                now.get("VmRSS") / 1e6, now.get("RssAnon") / 1e6, now.get("RssFile") / 1e6, now.get("VmHWM") / 1e6,
                before.get("VmRSS") / 1e6);
    }

    /** kB figures of /proc/self/status. */
    static Map<String, Long> memory() throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            for (String key : new ArrayList<>(List.of("VmRSS", "VmHWM", "RssAnon", "RssFile"))) {
                if (line.startsWith(key + ":")) {
                    out.put(key, Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        }
        return out;
    }
}
