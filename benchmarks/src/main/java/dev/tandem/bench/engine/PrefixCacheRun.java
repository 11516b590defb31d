package dev.tandem.bench.engine;

import dev.tandem.bench.Args;
import dev.tandem.bench.report.Figures;
import dev.tandem.bench.report.Markdown;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.Engines;
import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationEvent;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Prefix caching through the engine: time to first token of a prompt whose first {@code cached} tokens
 * another request has just computed, against the same-length prompt cold, on one engine with prefix
 * caching on and the default prefill chunk.
 *
 * <pre>
 * PrefixCacheRun [--shape 110m] [--dtype auto] [--prompt 1024] [--cached 960] [--repeats 5] [--threads 1]
 *                [--chunk 256] [--out DIR] [--name prefix-cache]
 * </pre>
 * Each repeat takes a new random prefix: prefix + suffix A runs cold (nothing of it cached), then
 * prefix + suffix B runs warm (the prefix's full blocks cached by the cold one). One token each, so
 * the time is submit to first token: the prefill. Figures are medians over the repeats, after one
 * untimed pair.
 */
public final class PrefixCacheRun {
    /** The target: the cached prompt's first token in at most 15 % of the cold one's time. */
    static final double TARGET = 0.15;

    /** Time to first token and the prompt tokens the engine reports as served from the cache. */
    record FirstToken(double millis, int cachedTokens) {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String shapeName = args.get("shape", Checkpoints.SHAPE_110M);
        String dtype = args.get("dtype", "auto");
        int prompt = args.getInt("prompt", 1024);
        int cached = args.getInt("cached", 960);
        int repeats = args.getInt("repeats", 5);
        int threads = args.getInt("threads", 1);
        Path checkpoint = Checkpoints.get(shapeName);
        EngineConfig defaults = EngineConfig.defaults(checkpoint);
        int chunk = args.getInt("chunk", defaults.prefillChunk());
        if (cached % defaults.blockSize() != 0 || cached >= prompt) {
            throw new IllegalArgumentException("--cached must be whole blocks of " + defaults.blockSize() + " and below --prompt");
        }
        // Room for every prompt of the run to stay cached, so that no eviction touches the figures
        EngineConfig config = EngineRuns.config(checkpoint, dtype, 1, prompt + 8, threads)
                .withKvTokenBudget((repeats + 2) * 2 * (prompt + 8))
                .withPrefixCaching(true)
                .withPrefillChunk(chunk)
                .build();
        double[] cold = new double[repeats];
        double[] warm = new double[repeats];
        String dtypeUsed;
        try (Engine engine = Engines.open(config)) {
            dtypeUsed = engine.model().dtype();
            int vocab = engine.model().vocabSize();
            for (int r = -1; r < repeats; r++) {
                int[] prefix = EngineRuns.promptIds(cached, vocab, 7919L * (r + 2));
                FirstToken c = firstToken(engine, join(prefix, EngineRuns.promptIds(prompt - cached, vocab, 31L * (r + 2))));
                FirstToken w = firstToken(engine, join(prefix, EngineRuns.promptIds(prompt - cached, vocab, 37L * (r + 2) + 1)));
                if (c.cachedTokens() != 0 || w.cachedTokens() != cached) {
                    throw new IllegalStateException("expected 0 and " + cached + " cached tokens, the engine reported "
                            + c.cachedTokens() + " and " + w.cachedTokens());
                }
                System.out.printf(Locale.ROOT, "repeat %d: cold %.1f ms, %d cached %.1f ms%n", r, c.millis(), cached, w.millis());
                if (r >= 0) {
                    cold[r] = c.millis();
                    warm[r] = w.millis();
                }
            }
        }
        double coldMs = median(cold);
        double warmMs = median(warm);
        String report = report(shapeName, dtypeUsed, threads, chunk, prompt, cached, cold, warm);
        System.out.println(report);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("shape", shapeName);
        f.put("dtype", dtypeUsed);
        f.put("threads", threads);
        f.put("promptTokens", prompt);
        f.put("cachedTokens", cached);
        f.put("coldFirstTokenMs", coldMs);
        f.put("cachedFirstTokenMs", warmMs);
        f.put("ratio", warmMs / coldMs);
        Figures.writeIfAsked(args, "prefix-cache", report, f);
    }

    static String report(String shape, String dtype, int threads, int chunk, int prompt, int cached, double[] cold, double[] warm) {
        double ratio = median(warm) / median(cold);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "### Prefix caching: time to first token (%s, %s, %d thread(s), through LocalEngine, prefill chunk %d)%n%n",
                shape, dtype, threads, chunk));
        sb.append(Markdown.table(List.of("prompt", "cached tokens", "first token, median ms", "runs (ms)"), List.of(
                List.of(Integer.toString(prompt), "0 (cold)", Markdown.num(median(cold), 1), runs(cold)),
                List.of(Integer.toString(prompt), Integer.toString(cached), Markdown.num(median(warm), 1), runs(warm)))));
        sb.append(String.format(Locale.ROOT, "%nCached / cold: %.1f%% (target ≤ %.0f%%: %s).%n", 100 * ratio, 100 * TARGET,
                ratio <= TARGET ? "met" : "not met"));
        return sb.toString();
    }

    /** Submits a one-token greedy request and waits for its end: submit-to-first-token time and cached tokens. */
    static FirstToken firstToken(Engine engine, int[] prompt) throws Exception {
        CompletableFuture<Long> first = new CompletableFuture<>();
        CompletableFuture<GenerationEvent.Finished> done = new CompletableFuture<>();
        long start = System.nanoTime();
        engine.submit(EngineRuns.fixedLength("prefix-" + start, prompt, 1), e -> {
            if (e instanceof GenerationEvent.Token) {
                first.complete(System.nanoTime());
            } else if (e instanceof GenerationEvent.Finished f) {
                done.complete(f);
            }
        });
        GenerationEvent.Finished f = done.get(10, TimeUnit.MINUTES);
        if (f.reason() != FinishReason.LENGTH) {
            throw new IllegalStateException("the request ended with " + f.reason() + (f.error() == null ? "" : ": " + f.error()));
        }
        return new FirstToken((first.get() - start) / 1e6, f.usage().cachedPromptTokens());
    }

    private static int[] join(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String runs(double[] ms) {
        return String.join(", ", Arrays.stream(ms).mapToObj(v -> Markdown.num(v, 1)).toList());
    }

    private static double median(double[] v) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
