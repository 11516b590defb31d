package dev.tandem.server.ops.metrics;

import dev.tandem.server.core.Assert;

/**
 * The {@code metrics:} section.
 *
 * @param enabled serve the metrics
 * @param path where
 * @param open served without a key; otherwise the path wants the master key (while API keys are on)
 */
public record MetricsConfig(boolean enabled, String path, boolean open) {
    public MetricsConfig {
        Assert.notNull(path, "metrics.path");
    }
}
