package dev.tandem.server.config;

import dev.tandem.server.remote.RemotesConfig;
import dev.tandem.server.routing.RoutingConfig;

/**
 * The whole configuration: one record per section of the YAML file. Sections added later (routing,
 * remotes, auth, limits, ledger, metrics, redaction, cache) each get their own record and a line
 * here, with their defaults in {@code tandem-defaults.yaml}.
 */
public record TandemConfig(ServerSettings server, EngineSettings engine, RoutingConfig routing, RemotesConfig remotes) {

    public TandemConfig {
        Check.that(server != null, "the server section is missing");
        Check.that(engine != null, "the engine section is missing");
        routing = routing == null ? RoutingConfig.defaults() : routing;
        remotes = remotes == null ? RemotesConfig.defaults() : remotes;
    }

    public TandemConfig(ServerSettings server, EngineSettings engine) {
        this(server, engine, null, null);
    }

    public TandemConfig withServer(ServerSettings v) {
        return new TandemConfig(v, engine, routing, remotes);
    }

    public TandemConfig withEngine(EngineSettings v) {
        return new TandemConfig(server, v, routing, remotes);
    }

    public TandemConfig withRouting(RoutingConfig v) {
        return new TandemConfig(server, engine, v, remotes);
    }
}
