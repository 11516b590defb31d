package dev.tandem.server.config;

import dev.tandem.server.core.Assert;
import dev.tandem.server.local.EngineSettings;
import dev.tandem.server.ops.cache.CacheConfig;
import dev.tandem.server.ops.gate.AuthConfig;
import dev.tandem.server.ops.ledger.LedgerConfig;
import dev.tandem.server.ops.limits.LimitsConfig;
import dev.tandem.server.ops.logging.LoggingConfig;
import dev.tandem.server.ops.metrics.MetricsConfig;
import dev.tandem.server.ops.redaction.RedactionConfig;
import dev.tandem.server.ops.responses.ResponsesConfig;
import dev.tandem.server.remote.RemotesConfig;
import dev.tandem.server.routing.RoutingConfig;

/**
 * The whole configuration: one record per section of the YAML file. Every default is in
 * {@code tandem-defaults.yaml} and nowhere else: {@link ConfigLoader} reads it under the user's file,
 * so every section here is complete. {@link #toBuilder()} changes a copy.
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
        LoggingConfig logging,
        ResponsesConfig responses) {

    public TandemConfig {
        Assert.notNull(server, "the server section");
        Assert.notNull(engine, "the engine section");
        Assert.notNull(routing, "the routing section");
        Assert.notNull(remotes, "the remotes section");
        Assert.notNull(auth, "the auth section");
        Assert.notNull(limits, "the limits section");
        Assert.notNull(ledger, "the ledger section");
        Assert.notNull(metrics, "the metrics section");
        Assert.notNull(redaction, "the redaction section");
        Assert.notNull(cache, "the cache section");
        Assert.notNull(logging, "the logging section");
        Assert.notNull(responses, "the responses section");
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static final class Builder {
        private ServerSettings server;
        private EngineSettings engine;
        private RoutingConfig routing;
        private RemotesConfig remotes;
        private AuthConfig auth;
        private LimitsConfig limits;
        private LedgerConfig ledger;
        private MetricsConfig metrics;
        private RedactionConfig redaction;
        private CacheConfig cache;
        private LoggingConfig logging;
        private ResponsesConfig responses;

        private Builder(TandemConfig c) {
            server = c.server;
            engine = c.engine;
            routing = c.routing;
            remotes = c.remotes;
            auth = c.auth;
            limits = c.limits;
            ledger = c.ledger;
            metrics = c.metrics;
            redaction = c.redaction;
            cache = c.cache;
            logging = c.logging;
            responses = c.responses;
        }

        public Builder withServer(ServerSettings v) {
            server = v;
            return this;
        }

        public Builder withEngine(EngineSettings v) {
            engine = v;
            return this;
        }

        public Builder withRouting(RoutingConfig v) {
            routing = v;
            return this;
        }

        public Builder withRemotes(RemotesConfig v) {
            remotes = v;
            return this;
        }

        public Builder withAuth(AuthConfig v) {
            auth = v;
            return this;
        }

        public Builder withLimits(LimitsConfig v) {
            limits = v;
            return this;
        }

        public Builder withLedger(LedgerConfig v) {
            ledger = v;
            return this;
        }

        public Builder withMetrics(MetricsConfig v) {
            metrics = v;
            return this;
        }

        public Builder withRedaction(RedactionConfig v) {
            redaction = v;
            return this;
        }

        public Builder withCache(CacheConfig v) {
            cache = v;
            return this;
        }

        public Builder withLogging(LoggingConfig v) {
            logging = v;
            return this;
        }

        public Builder withResponses(ResponsesConfig v) {
            responses = v;
            return this;
        }

        public TandemConfig build() {
            return new TandemConfig(server, engine, routing, remotes, auth, limits, ledger, metrics, redaction, cache, logging, responses);
        }
    }
}
