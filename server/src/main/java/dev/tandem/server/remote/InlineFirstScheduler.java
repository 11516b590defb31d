package dev.tandem.server.remote;

import dev.failsafe.spi.Scheduler;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Failsafe's scheduler for the remote backends: work due now runs on the calling thread, delayed
 * work (retry backoff) on the timer.
 *
 * <p>Failsafe starts every async execution through {@code schedule(task, 0)}; with a plain
 * executor that is a thread hop per request before anything goes upstream. The first attempt
 * only builds the HTTP request and hands it to the HTTP client, which is asynchronous itself, so
 * running it in place costs the caller microseconds and saves a context switch (on a 2-core box,
 * a measurable share of a gateway request).
 */
final class InlineFirstScheduler implements Scheduler {
    private final ScheduledExecutorService timer;

    InlineFirstScheduler(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    @Override
    public ScheduledFuture<?> schedule(Callable<?> task, long delay, TimeUnit unit) {
        if (delay > 0) {
            return timer.schedule(task, delay, unit);
        }
        CompletableFuture<Object> done = new CompletableFuture<>();
        try {
            done.complete(task.call());
        } catch (Throwable t) {
            done.completeExceptionally(t);
        }
        return new Ran(done);
    }

    /** A task that already ran: nothing left to cancel or wait for. */
    private record Ran(CompletableFuture<Object> result) implements ScheduledFuture<Object> {
        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() throws InterruptedException, ExecutionException {
            return result.get();
        }

        @Override
        public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException {
            return result.get();
        }
    }
}
