package dev.tandem.server.routing;

import dev.tandem.server.remote.RemoteConfig;
import dev.tandem.server.remote.RemotesConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Model names to routes, read top to bottom: local names, aliases, remote names; else unknown. */
final class RouteTable {

    /** Where a model name points. */
    sealed interface Route {
        /** The local model, served locally only. */
        record Local() implements Route {}

        /** The default chain: local first, then the remote fallbacks. */
        record Chain() implements Route {}

        /** A remote model: that upstream only. */
        record Remote(String upstream) implements Route {}

        record Unknown() implements Route {}
    }

    private final Set<String> localModels;
    private final List<String> aliases;
    private final boolean localModelOverflow;
    private final RemotesConfig remotes;

    RouteTable(Set<String> localModels, RoutingConfig routing, RemotesConfig remotes) {
        this.localModels = Set.copyOf(localModels);
        this.aliases = routing.aliases();
        this.localModelOverflow = routing.localModelOverflow();
        this.remotes = remotes;
    }

    boolean isLocalName(String model) {
        return localModels.contains(model);
    }

    Route resolve(String model) {
        if (localModels.contains(model)) {
            return localModelOverflow ? new Route.Chain() : new Route.Local();
        }
        if (aliases.contains(model)) {
            return new Route.Chain();
        }
        for (Map.Entry<String, RemoteConfig> upstream : remotes.upstreams().entrySet()) {
            RemoteConfig c = upstream.getValue();
            if (c.serves(model) || model.equals(c.defaultModel())) {
                return new Route.Remote(upstream.getKey());
            }
        }
        return new Route.Unknown();
    }
}
