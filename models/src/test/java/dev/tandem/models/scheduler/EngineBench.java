package dev.tandem.models.scheduler;

import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.Engines;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.Prompt;
import dev.tandem.models.StopRules;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Throwaway measurement (a main, not a test): N concurrent greedy generations through the public engine.
 * Args: checkpointDir threads streams...
 */
public final class EngineBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        try (Engine engine = Engines.open(EngineConfig.builder(dir).withThreads(threads).withMaxRunning(16)
                .withKvTokenBudget(16 * 256).withMaxModelLen(256).build())) {
            for (int i = 2; i < args.length; i++) {
                int streams = Integer.parseInt(args[i]);
                run(engine, streams, 8); // warm-up
                long start = System.nanoTime();
                int tokens = run(engine, streams, 64);
                double s = (System.nanoTime() - start) / 1e9;
                System.out.printf("streams %2d: %d tokens in %.2f s = %.1f tok/s aggregate%n", streams, tokens, s, tokens / s);
            }
        }
    }

    private static int run(Engine engine, int streams, int maxTokens) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(streams);
        AtomicInteger tokens = new AtomicInteger();
        for (int i = 0; i < streams; i++) {
            GenerationRequest r = GenerationRequest.greedy("s" + i, Prompt.text("Write a function number " + i), maxTokens)
                    .toBuilder().withStop(new StopRules(List.of(), Set.of(), true, 0)).build();
            engine.submit(r, e -> {
                if (e instanceof GenerationEvent.Token) {
                    tokens.incrementAndGet();
                } else {
                    done.countDown();
                }
            });
        }
        done.await();
        return tokens.get();
    }
}
