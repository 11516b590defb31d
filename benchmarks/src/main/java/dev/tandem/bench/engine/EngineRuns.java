package dev.tandem.bench.engine;

import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.Engines;
import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.Prompt;
import dev.tandem.models.StopRules;
import dev.tandem.models.step.ComputeDtype;
import dev.tandem.models.step.DtypeChoice;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Engine set-ups shared by the JMH suites and the throughput tool: an engine on a generated
 * checkpoint, prompts of random token ids, and batches of fixed-length greedy generations (EOS
 * ignored, so every stream produces exactly the tokens asked for).
 */
public final class EngineRuns {
    /** Ids below this are the generated tokenizer's special tokens. */
    private static final int FIRST_ORDINARY_ID = 3;

    private EngineRuns() {}

    /**
     * CPU, compute {@code dtype} ("auto": what the machine runs best), room for {@code maxRunning} sequences
     * of {@code contextPerSequence} tokens (the served context; no prefix caching, so that every run
     * computes its prompts).
     */
    public static Engine open(Path checkpoint, String dtype, int maxRunning, int contextPerSequence, int threads) {
        return Engines.open(config(checkpoint, dtype, maxRunning, contextPerSequence, threads).build());
    }

    /** The settings {@link #open} uses, to change before opening. */
    public static EngineConfig.Builder config(Path checkpoint, String dtype, int maxRunning, int contextPerSequence, int threads) {
        return EngineConfig.builder(checkpoint)
                .withDevice("cpu")
                .withComputeDtype(dtype)
                .withMaxRunning(maxRunning)
                .withMaxWaiting(Math.max(64, 2 * maxRunning))
                .withKvTokenBudget(maxRunning * contextPerSequence)
                .withMaxModelLen(contextPerSequence)
                .withPrefixCaching(false)
                .withPrefillChunk(1024)
                .withThreads(threads);
    }

    /** A dtype name; auto: the one the engine picks on this CPU (bfloat16 with AVX512_BF16 or AMX, else float32). */
    public static ComputeDtype dtype(String name) {
        ComputeDtype named = ComputeDtype.parse(name);
        return named != null ? named : DtypeChoice.choose(name, DtypeChoice.Hardware.thisCpu()).dtype();
    }

    public static int[] promptIds(int length, int vocab, long seed) {
        Random random = new Random(seed);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = FIRST_ORDINARY_ID + random.nextInt(vocab - FIRST_ORDINARY_ID);
        }
        return ids;
    }

    /** Greedy, exactly {@code tokens} new tokens. */
    public static GenerationRequest fixedLength(String id, int[] prompt, int tokens) {
        return GenerationRequest.builder(id, Prompt.tokens(prompt))
                .withMaxTokens(tokens)
                .withStop(new StopRules(List.of(), Set.of(), true, 0))
                .build();
    }

    /**
     * Token arrival times of {@code batch} generations submitted together, each of {@code tokens}
     * tokens after a {@code promptLength}-token prompt. {@code times[s][i]}: nanoTime of stream s's
     * token i.
     */
    public static long[][] runBatch(Engine engine, int batch, int promptLength, int tokens, long seed) {
        long[][] times = new long[batch][tokens];
        AtomicInteger[] counts = new AtomicInteger[batch];
        CountDownLatch done = new CountDownLatch(batch);
        AtomicReference<String> failure = new AtomicReference<>();
        int vocab = engine.model().vocabSize();
        for (int s = 0; s < batch; s++) {
            int stream = s;
            counts[s] = new AtomicInteger();
            engine.submit(fixedLength("bench-" + seed + "-" + s, promptIds(promptLength, vocab, seed + s), tokens), e -> {
                if (e instanceof GenerationEvent.Token) {
                    int i = counts[stream].getAndIncrement();
                    if (i < tokens) {
                        times[stream][i] = System.nanoTime();
                    }
                } else if (e instanceof GenerationEvent.Finished f) {
                    if (f.reason() != FinishReason.LENGTH) {
                        failure.compareAndSet(null, f.reason() + (f.error() == null ? "" : ": " + f.error()));
                    }
                    done.countDown();
                }
            });
        }
        await(done, failure);
        return times;
    }

    /**
     * Decode tokens per second of a batch run, over the window where every stream was decoding:
     * from the last stream's first token to the first stream's last token (prefill left out).
     */
    public static double decodeTokensPerSecond(long[][] times) {
        long t0 = Long.MIN_VALUE, t1 = Long.MAX_VALUE;
        for (long[] stream : times) {
            t0 = Math.max(t0, stream[0]);
            t1 = Math.min(t1, stream[stream.length - 1]);
        }
        long count = 0;
        for (long[] stream : times) {
            for (long t : stream) {
                if (t > t0 && t <= t1) count++;
            }
        }
        if (t1 <= t0 || count == 0) {
            return Double.NaN;
        }
        return count / ((t1 - t0) / 1e9);
    }

    static void await(CountDownLatch done, AtomicReference<String> failure) {
        try {
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("generations did not finish within 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a generation ended with " + failure.get());
        }
    }
}
