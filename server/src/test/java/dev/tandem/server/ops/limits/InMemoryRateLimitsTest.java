package dev.tandem.server.ops.limits;

import io.github.bucket4j.TimeMeter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

class InMemoryRateLimitsTest extends RateLimitsContract {
    private final Map<String, Double> spent = new ConcurrentHashMap<>();

    @Override
    RateLimits limits(TimeMeter clock) {
        return new InMemoryRateLimits(clock, key -> spent.getOrDefault(key, 0.0));
    }

    @Override
    void spent(String keyId, double usd) {
        spent.put(keyId, usd);
    }
}
