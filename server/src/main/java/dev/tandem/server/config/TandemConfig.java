package dev.tandem.server.config;

import dev.tandem.server.ops.LoggingConfig;
import dev.tandem.server.ops.Ops;
import dev.tandem.server.ops.cache.CacheConfig;
import dev.tandem.server.ops.gate.AuthConfig;
import dev.tandem.server.ops.ledger.LedgerConfig;
import dev.tandem.server.ops.limits.LimitsConfig;
import dev.tandem.server.ops.metrics.MetricsConfig;
import dev.tandem.server.ops.redaction.RedactionConfig;
import dev.tandem.server.remote.RemotesConfig;
import dev.tandem.server.routing.RoutingConfig;

/**
 * The whole configuration: one record per section of the YAML file, with their defaults in
 * {@code tandem-defaults.yaml}.
 */
public record TandemConfig(
        ServerSettings server,
        EngineSettings engine,
        RoutingConfig routing,
        RemotesConfig remotes,
        AuthConfig auth,
        LimitsConfig limits,
        LedgerConfig ledger,
        MetricsConfig metrics,
        RedactionConfig redaction,
        CacheConfig cache,
        LoggingConfig logging) {

    public TandemConfig {
        Check.that(server != null, "the server section is missing");
        Check.that(engine != null, "the engine section is missing");
        routing = routing == null ? RoutingConfig.defaults() : routing;
        remotes = remotes == null ? RemotesConfig.defaults() : remotes;
        auth = auth == null ? AuthConfig.DEFAULTS : auth;
        limits = limits == null ? LimitsConfig.DEFAULTS : limits;
        ledger = ledger == null ? LedgerConfig.DEFAULTS : ledger;
        metrics = metrics == null ? MetricsConfig.DEFAULTS : metrics;
        redaction = redaction == null ? RedactionConfig.DEFAULTS : redaction;
        cache = cache == null ? CacheConfig.DEFAULTS : cache;
        logging = logging == null ? LoggingConfig.DEFAULTS : logging;
    }

    public TandemConfig(ServerSettings server, EngineSettings engine) {
        this(server, engine, null, null, null, null, null, null, null, null, null);
    }

    public TandemConfig withServer(ServerSettings v) {
        return new TandemConfig(v, engine, routing, remotes, auth, limits, ledger, metrics, redaction, cache, logging);
    }

    public TandemConfig withEngine(EngineSettings v) {
        return new TandemConfig(server, v, routing, remotes, auth, limits, ledger, metrics, redaction, cache, logging);
    }

    public TandemConfig withRouting(RoutingConfig v) {
        return new TandemConfig(server, engine, v, remotes, auth, limits, ledger, metrics, redaction, cache, logging);
    }

    /** The sections the operations package reads. */
    public Ops.Sections ops() {
        return new Ops.Sections(auth, limits, ledger, metrics, redaction, cache, logging);
    }
}
