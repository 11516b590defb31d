package dev.tandem.models;

import java.time.Duration;

/**
 * A snapshot of the engine's load, for routing decisions and metrics.
 *
 * @param estimatedWait how long a request submitted now would wait before its first token
 */
public record EngineLoad(
        int running,
        int waiting,
        int maxRunning,
        int maxWaiting,
        long kvTokensTotal,
        long kvTokensFree,
        Duration estimatedWait,
        int lastBatchSize) {

    /** True when a new submission would be refused. */
    public boolean queueFull() {
        return waiting >= maxWaiting;
    }
}
