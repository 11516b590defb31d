package dev.tandem.server.routing;

import dev.tandem.server.core.Assert;
import dev.tandem.server.core.Policy;
import java.util.List;

/**
 * The {@code routing:} section of the configuration (defaults in {@code tandem-defaults.yaml}).
 *
 * <pre>
 * routing:
 *   policy: prefer-local        # local-only | prefer-local | remote-only (server-wide ceiling)
 *   maxLocalWaitMs: 2000        # estimated local queue wait above this counts as saturated
 *   aliases: [auto, default]    # model names meaning "the default chain"
 *   fallbacks: [anthropic, openai]  # remote order after local (names of remotes)
 *   localModelOverflow: true    # the local model's own name may overflow to remote too
 * </pre>
 *
 * @param localModelOverflow when true, a request naming the local model is routed like {@code auto}
 *     (local first, remote when saturated/failing/unable); when false it is served locally or not at all
 */
public record RoutingConfig(
        Policy policy,
        long maxLocalWaitMs,
        List<String> aliases,
        List<String> fallbacks,
        boolean localModelOverflow) {

    public RoutingConfig {
        Assert.notNull(policy, "routing.policy");
        aliases = List.copyOf(Assert.notNull(aliases, "routing.aliases"));
        fallbacks = List.copyOf(Assert.notNull(fallbacks, "routing.fallbacks"));
        Assert.isTrue(maxLocalWaitMs >= 0, "routing.maxLocalWaitMs must be >= 0");
    }
}
