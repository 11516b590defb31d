package dev.tandem.server.ops.responses;

import dev.tandem.server.core.Assert;
import java.time.Duration;

/**
 * The {@code responses:} section (defaults in {@code tandem-defaults.yaml}): how many stored responses
 * are kept, all keys together, and for how long.
 *
 * @param maxStored responses kept; beyond it the oldest go first
 * @param maxAgeHours a response older than this is gone
 */
public record ResponsesConfig(int maxStored, int maxAgeHours) {

    public ResponsesConfig {
        Assert.isTrue(maxStored >= 1, "responses.maxStored must be at least 1");
        Assert.isTrue(maxAgeHours >= 1, "responses.maxAgeHours must be at least 1");
    }

    public Duration maxAge() {
        return Duration.ofHours(maxAgeHours);
    }
}
