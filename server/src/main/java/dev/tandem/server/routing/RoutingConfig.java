package dev.tandem.server.routing;

import dev.tandem.server.core.Policy;
import java.util.List;

/**
 * The {@code routing:} section of the configuration.
 *
 * <pre>
 * routing:
 *   policy: prefer-local        # local-only | prefer-local | remote-only (server-wide ceiling)
 *   maxLocalWaitMs: 2000        # estimated local queue wait above this counts as saturated
 *   aliases: [auto, default]    # model names meaning "the default chain"
 *   fallbacks: [anthropic, openai]  # remote order after local
 *   localModelOverflow: true    # the local model's own name may overflow to remote too
 * </pre>
 *
 * @param localModelOverflow when true, a request naming the local model is routed like {@code auto}
 *     (local first, remote when saturated/failing/unable); when false it is served locally or not at all
 */
public record RoutingConfig(
        Policy policy,
        Long maxLocalWaitMs,
        List<String> aliases,
        List<String> fallbacks,
        Boolean localModelOverflow) {

    public RoutingConfig {
        policy = policy == null ? Policy.PREFER_LOCAL : policy;
        maxLocalWaitMs = maxLocalWaitMs == null ? 2000L : maxLocalWaitMs;
        aliases = aliases == null ? List.of("auto", "default") : List.copyOf(aliases);
        fallbacks = fallbacks == null ? List.of("anthropic", "openai") : List.copyOf(fallbacks);
        localModelOverflow = localModelOverflow == null || localModelOverflow;
        if (maxLocalWaitMs < 0) {
            throw new IllegalArgumentException("routing.maxLocalWaitMs must be >= 0");
        }
    }

    public static RoutingConfig defaults() {
        return new RoutingConfig(null, null, null, null, null);
    }

    public RoutingConfig withPolicy(Policy v) {
        return new RoutingConfig(v, maxLocalWaitMs, aliases, fallbacks, localModelOverflow);
    }
}
