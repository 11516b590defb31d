package dev.tandem.server.ops.metrics;

import dev.tandem.server.core.Assert;

/**
 * The {@code metrics:} section.
 *
 * @param enabled serve the metrics
 * @param path where
 */
public record MetricsConfig(boolean enabled, String path) {
    public MetricsConfig {
        Assert.notNull(path, "metrics.path");
    }
}
