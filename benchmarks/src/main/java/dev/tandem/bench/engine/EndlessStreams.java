package dev.tandem.bench.engine;

import dev.tandem.models.Engine;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code batch} streams kept running in an engine, so the batch stays full: each is restarted when it
 * ends (from a thread of its own, never from the engine's thread inside a listener). The token times
 * of stream 0 are queued: the interval between two of them is one scheduler step.
 */
final class EndlessStreams implements AutoCloseable {
    /** The request of {@code stream}'s {@code restart}-th generation. */
    interface Requests {
        GenerationRequest request(int stream, long restart);
    }

    private final Engine engine;
    private final Requests requests;
    private final BlockingQueue<Long> steps = new LinkedBlockingQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService restarter = Executors.newSingleThreadExecutor();
    private long restarts;

    EndlessStreams(Engine engine, int batch, Requests requests) {
        this.engine = engine;
        this.requests = requests;
        for (int s = 0; s < batch; s++) {
            submit(s);
        }
    }

    private void submit(int stream) {
        engine.submit(requests.request(stream, restarts++), e -> {
            if (stream == 0 && e instanceof GenerationEvent.Token) {
                steps.offer(System.nanoTime());
            }
            if (e instanceof GenerationEvent.Finished && running.get()) {
                restarter.execute(() -> submit(stream));
            }
        });
    }

    /** Forgets the token times so far. */
    void clear() {
        steps.clear();
    }

    /** Waits for stream 0's next token; returns its time. */
    long nextStep() throws InterruptedException {
        Long t = steps.poll(60, TimeUnit.SECONDS);
        if (t == null) {
            throw new IllegalStateException("no token for 60 s: the engine stalled");
        }
        return t;
    }

    /** Stops restarting; the engine is the caller's to close. */
    @Override
    public void close() {
        running.set(false);
        restarter.shutdownNow();
    }
}
