package dev.tandem.models.scheduler;

/**
 * What the scheduler is allowed, resolved from {@code EngineConfig} and the model.
 *
 * @param maxModelLen the longest sequence served, prompt and output together
 */
public record SchedulerConfig(int maxRunning, int maxWaiting, int prefillChunk, int maxModelLen, boolean prefixCaching) {
    public SchedulerConfig {
        if (maxRunning < 1 || maxWaiting < 0 || prefillChunk < 1 || maxModelLen < 1) {
            throw new IllegalArgumentException("maxRunning, prefillChunk and maxModelLen must be >= 1, maxWaiting >= 0");
        }
    }
}
