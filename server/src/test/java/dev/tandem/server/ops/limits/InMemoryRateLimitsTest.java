package dev.tandem.server.ops.limits;

import io.github.bucket4j.TimeMeter;

class InMemoryRateLimitsTest extends RateLimitsContract {
    @Override
    RateLimits limits(TimeMeter clock) {
        return new InMemoryRateLimits(clock, key -> 0.0);
    }
}
