package dev.tandem.models.scheduler;

import dev.tandem.models.EngineLoad;
import dev.tandem.models.KvStats;
import java.time.Duration;

/**
 * What the engine thread publishes after each step, for {@code load()} and {@code kvStats()} on other
 * threads.
 *
 * @param waitingTokens tokens the scheduler's waiting sequences still have to compute
 * @param stepSeconds the smoothed time of one step
 * @param shortestRemaining steps the closest-to-done running sequence may still take
 */
record LoadSnapshot(
        int running,
        long waitingTokens,
        long kvFreeTokens,
        int lastBatchSize,
        double stepSeconds,
        int shortestRemaining,
        KvStats stats) {

    /** Before the first publication (never seen: the engine publishes before it is handed out). */
    static final LoadSnapshot NONE = new LoadSnapshot(0, 0, 0, 0, 0.05, 0, KvStats.NONE);

    /**
     * The load with {@code waiting} sequences queued, {@code queuedTokens} of them not yet seen by the
     * scheduler.
     */
    EngineLoad toLoad(SchedulerConfig config, long kvTokensTotal, int waiting, long queuedTokens) {
        return new EngineLoad(running, waiting, config.maxRunning(), config.maxWaiting(), kvTokensTotal, kvFreeTokens,
                estimatedWait(config, waiting, waitingTokens + queuedTokens), lastBatchSize);
    }

    /**
     * Roughly how long a request submitted now waits for its first token: the smoothed step time times
     * the steps until a slot frees (when all are taken) plus the prefill steps of the queue.
     */
    Duration estimatedWait(SchedulerConfig config, int waiting, long queuedTokens) {
        double stepsAhead = 1 + (double) queuedTokens / config.prefillChunk();
        if (running + waiting >= config.maxRunning()) {
            // All slots are taken: one frees when the closest-to-done sequence ends (at worst its max_tokens)
            stepsAhead += (1 + waiting / config.maxRunning()) * (double) shortestRemaining;
        }
        return Duration.ofNanos((long) (stepsAhead * stepSeconds * 1e9));
    }
}
