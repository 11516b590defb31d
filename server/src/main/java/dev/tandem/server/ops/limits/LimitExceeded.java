package dev.tandem.server.ops.limits;

import java.time.Duration;

/**
 * A key went over one of its limits.
 *
 * @param limit "rpm", "tpm" or "concurrency"
 * @param retryAfter when a retry may pass (whole seconds, at least one)
 */
public record LimitExceeded(String limit, Duration retryAfter) {}
