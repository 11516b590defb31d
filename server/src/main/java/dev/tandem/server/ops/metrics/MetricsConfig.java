package dev.tandem.server.ops.metrics;

/**
 * The {@code metrics:} section.
 *
 * @param enabled serve /metrics (default true)
 * @param path where (default /metrics)
 */
public record MetricsConfig(Boolean enabled, String path) {
    public static final MetricsConfig DEFAULTS = new MetricsConfig(null, null);

    public MetricsConfig {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        path = path == null ? "/metrics" : path;
    }
}
