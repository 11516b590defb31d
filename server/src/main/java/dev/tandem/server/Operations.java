package dev.tandem.server;

import dev.tandem.models.EngineLoad;
import dev.tandem.models.KvStats;
import dev.tandem.server.api.Bodies;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.Readiness;
import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.ops.ObservingBackend;
import dev.tandem.server.ops.OutcomeListener;
import dev.tandem.server.ops.cache.AnswerStore;
import dev.tandem.server.ops.cache.AnswerStoreEvents;
import dev.tandem.server.ops.cache.CachingBackend;
import dev.tandem.server.ops.gate.AdminApi;
import dev.tandem.server.ops.gate.AuthFilter;
import dev.tandem.server.ops.gate.Authenticator;
import dev.tandem.server.ops.gate.GateBackend;
import dev.tandem.server.ops.keys.KeyStore;
import dev.tandem.server.ops.ledger.LedgerWriter;
import dev.tandem.server.ops.ledger.UsageLedger;
import dev.tandem.server.ops.limits.RateLimits;
import dev.tandem.server.ops.logging.LogSetup;
import dev.tandem.server.ops.metrics.TandemMetrics;
import dev.tandem.server.ops.metrics.UpstreamErrorCounting;
import dev.tandem.server.ops.redaction.RedactingBackend;
import dev.tandem.server.ops.redaction.RedactingResponseStore;
import dev.tandem.server.ops.redaction.Redactor;
import dev.tandem.server.ops.store.Stores;
import dev.tandem.server.routing.Router;
import io.javalin.config.RoutesConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Everything an operator needs, built from the configuration, for the server's assembly to plug in:
 *
 * <pre>
 *   Operations ops = Operations.open(config, engineLoad, engineKv, breakerStates);
 *   router  = new Router(routing, local, names, load, remotes, ops.routerHooks(local));
 *   backend = ops.guardDispatcher(router);         // the one backend the edge talks to
 *   ops.addRoutes(config.routes);                  // auth filter, /admin, /v1/usage, /metrics
 * </pre>
 *
 * The dispatcher chain, outermost first: gate (auth, model, budget, limits) → observer (ledger,
 * metrics) → cache → router.
 */
public final class Operations implements AutoCloseable {

    private final TandemConfig config;
    private final Stores stores;
    private final KeyStore keys;
    private final UsageLedger ledger;
    private final ResponseStore responses;
    private final TandemMetrics metrics;
    private final Authenticator auth;
    private final RateLimits limits;
    private final Redactor redactor;
    private final List<OutcomeListener> listeners;
    /** null when the cache is off. */
    private final AnswerStore answers;

    private Operations(TandemConfig config, Stores stores, TandemMetrics metrics) {
        this.config = config;
        this.stores = stores;
        this.keys = stores.keys();
        this.ledger = stores.ledger();
        this.limits = stores.limits();
        this.metrics = metrics;
        this.redactor = Redactor.fromConfig(config.redaction());
        this.responses = new RedactingResponseStore(stores.responses(config.responses()), redactor);
        this.auth = new Authenticator(keys, config.auth(), () -> metrics.gateRejected("auth"));
        this.listeners = List.of(new LedgerWriter(ledger, config.ledger().priceTable()), metrics);
        this.answers = config.cache().enabled() ? AnswerStore.open(config.cache(),
                new AnswerStoreEvents(metrics::cacheStoreError, metrics::cacheWriteDropped)) : null;
    }

    /**
     * Sets up logging (text or JSON, secrets masked when configured) and opens the stores (the SQLite
     * file, or the shared PostgreSQL database: {@code store.kind}); reads the auth, limits, store,
     * ledger, metrics, redaction, cache, logging and responses sections.
     *
     * @param engineLoad the local engine's load, or null when there is no local engine
     * @param engineKv the local engine's KV-cache figures, or null when there is no local engine
     * @param breakerStates upstream → circuit state, or null
     */
    public static Operations open(TandemConfig config, Supplier<EngineLoad> engineLoad, Supplier<KvStats> engineKv,
            Supplier<Map<String, CircuitState>> breakerStates) {
        Redactor logRedactor = config.redaction().logs() ? Redactor.fromConfig(config.redaction()) : new Redactor(List.of(), false, 0, 0);
        LogSetup.configure(config.logging(), logRedactor);
        TandemMetrics metrics = new TandemMetrics(engineLoad, engineKv, breakerStates);
        return new Operations(config, Stores.open(config.store(), config.ledger(), metrics), metrics);
    }

    /** The kinds of secret the redaction detectors find in {@code text}: empty when it holds none (client request ids). */
    public Set<String> secretsIn(String text) {
        return redactor.scan(text);
    }

    /** Wraps the dispatcher (the router): gate → observer → cache → dispatcher. */
    public Backend guardDispatcher(Backend dispatcher) {
        Backend b = dispatcher;
        if (answers != null) {
            b = new CachingBackend(b, config.cache().perKey(), answers, metrics::cacheHit, metrics::cacheMiss);
        }
        b = new ObservingBackend(b, listeners);
        return new GateBackend(b, auth, limits, config.limits().enabled(), listeners, metrics::gateRejected);
    }

    /**
     * Wraps one remote backend: prompts with secrets are masked, kept local or refused (outer), and
     * the upstream's own failures are counted by kind (inner, so a redaction refusal is not one).
     */
    public Backend guardRemote(Backend remote, Backend local) {
        return new RedactingBackend(new UpstreamErrorCounting(remote, metrics), redactor,
                config.redaction().remoteAction(), local);
    }

    /** The router's plug-in: {@link #guardRemote} around each remote backend as it is built. */
    public Router.Hooks routerHooks(Backend local) {
        return new Router.Hooks(remote -> guardRemote(remote, local), null);
    }

    /** The auth filter, admin routes and /metrics. */
    public void addRoutes(RoutesConfig routes) {
        AuthFilter filter = new AuthFilter(auth, config.metrics().path(), config.metrics().open());
        AdminApi admin = new AdminApi(keys, ledger, new Bodies(config.server().maxBodyBytes())::parseExact);
        routes.before(filter::handle);
        routes.post("/admin/keys", admin::createKey);
        routes.get("/admin/keys", admin::listKeys);
        routes.delete("/admin/keys/{id}", admin::revokeKey);
        routes.get("/v1/usage", admin::usage);
        if (config.metrics().enabled()) {
            routes.get(config.metrics().path(), ctx -> ctx.contentType(TandemMetrics.contentType()).result(metrics.scrape()));
        }
    }

    public TandemMetrics metrics() {
        return metrics;
    }

    public KeyStore keys() {
        return keys;
    }

    public UsageLedger ledger() {
        return ledger;
    }

    public Redactor redactor() {
        return redactor;
    }

    /** The Responses API's stored responses; secrets in them masked. */
    public ResponseStore responses() {
        return responses;
    }

    /** Whether the store of keys, limits and the ledger answers (for /ready). */
    public Readiness storeReadiness() {
        return stores.readiness();
    }

    @Override
    public void close() {
        if (answers != null) {
            answers.close();
        }
        responses.close();
        stores.close();
    }
}
