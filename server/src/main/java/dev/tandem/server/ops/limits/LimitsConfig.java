package dev.tandem.server.ops.limits;

/**
 * The {@code limits:} section.
 *
 * @param enabled per-key limits and budgets enforced (default true)
 * @param anonymousRpm requests per minute for everyone together when auth is off (null: unlimited)
 */
public record LimitsConfig(Boolean enabled, Integer anonymousRpm) {
    public static final LimitsConfig DEFAULTS = new LimitsConfig(null, null);

    public LimitsConfig {
        enabled = enabled == null ? Boolean.TRUE : enabled;
    }
}
