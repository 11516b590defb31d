package dev.tandem.server.ops;

import dev.tandem.models.EngineLoad;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.ops.cache.CacheConfig;
import dev.tandem.server.ops.cache.CachingBackend;
import dev.tandem.server.ops.gate.AdminApi;
import dev.tandem.server.ops.gate.AuthConfig;
import dev.tandem.server.ops.gate.AuthFilter;
import dev.tandem.server.ops.gate.Authenticator;
import dev.tandem.server.ops.gate.GateBackend;
import dev.tandem.server.ops.keys.KeyStore;
import dev.tandem.server.ops.keys.SqliteKeyStore;
import dev.tandem.server.ops.ledger.LedgerConfig;
import dev.tandem.server.ops.ledger.LedgerWriter;
import dev.tandem.server.ops.ledger.SqliteUsageLedger;
import dev.tandem.server.ops.ledger.UsageLedger;
import dev.tandem.server.ops.limits.LimitsConfig;
import dev.tandem.server.ops.limits.RateLimits;
import dev.tandem.server.ops.metrics.MetricsConfig;
import dev.tandem.server.ops.metrics.TandemMetrics;
import dev.tandem.server.ops.metrics.UpstreamErrorCounting;
import dev.tandem.server.ops.redaction.RedactingBackend;
import dev.tandem.server.ops.redaction.RedactionConfig;
import dev.tandem.server.ops.redaction.Redactor;
import dev.tandem.server.routing.Router;
import io.javalin.config.RoutesConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything an operator needs, built from the configuration, for the server's assembly to plug in:
 *
 * <pre>
 *   Ops ops = Ops.open(sections, engineLoad, breakerStates);
 *   router  = new Router(routing, local, names, load, remotes, ops.routerHooks(local));
 *   backend = ops.guardDispatcher(router);         // the one backend the edge talks to
 *   ops.addRoutes(config.routes);                  // auth filter, /admin, /v1/usage, /metrics, error shapes
 * </pre>
 *
 * The dispatcher chain, outermost first: gate (auth, model, budget, limits) → observer (ledger,
 * metrics) → cache → router.
 */
public final class Ops implements AutoCloseable {

    /** The configuration sections this package reads. */
    public record Sections(AuthConfig auth, LimitsConfig limits, LedgerConfig ledger, MetricsConfig metrics,
            RedactionConfig redaction, CacheConfig cache, LoggingConfig logging) {
        public Sections {
            auth = auth == null ? AuthConfig.DEFAULTS : auth;
            limits = limits == null ? LimitsConfig.DEFAULTS : limits;
            ledger = ledger == null ? LedgerConfig.DEFAULTS : ledger;
            metrics = metrics == null ? MetricsConfig.DEFAULTS : metrics;
            redaction = redaction == null ? RedactionConfig.DEFAULTS : redaction;
            cache = cache == null ? CacheConfig.DEFAULTS : cache;
            logging = logging == null ? LoggingConfig.DEFAULTS : logging;
        }

        public static final Sections DEFAULTS = new Sections(null, null, null, null, null, null, null);
    }

    private final Sections config;
    private final KeyStore keys;
    private final UsageLedger ledger;
    private final TandemMetrics metrics;
    private final Authenticator auth;
    private final RateLimits limits = new RateLimits();
    private final Redactor redactor;
    private final List<OutcomeListener> listeners;

    private Ops(Sections config, KeyStore keys, UsageLedger ledger, TandemMetrics metrics) {
        this.config = config;
        this.keys = keys;
        this.ledger = ledger;
        this.metrics = metrics;
        this.redactor = Redactor.fromConfig(config.redaction());
        this.auth = new Authenticator(keys, config.auth(), () -> metrics.gateRejected("auth"));
        this.listeners = List.of(new LedgerWriter(ledger, config.ledger().priceTable()), metrics);
    }

    /**
     * Opens the SQLite file and sets up logging (text or JSON, secrets masked when configured).
     *
     * @param engineLoad the local engine's load, or null when there is no local engine
     * @param breakerStates upstream → circuit state ("closed", "open", "half_open"), or null
     */
    public static Ops open(Sections config, Supplier<EngineLoad> engineLoad, Supplier<Map<String, CircuitState>> breakerStates) {
        Redactor logRedactor = config.redaction().logs() ? Redactor.fromConfig(config.redaction()) : new Redactor(List.of(), false, 0, 0);
        LogSetup.configure(config.logging(), logRedactor);
        Path db = Path.of(config.ledger().database());
        KeyStore keys = new SqliteKeyStore(db, config.ledger().synchronous(), Clock.systemUTC());
        UsageLedger ledger = new SqliteUsageLedger(db, config.ledger().synchronous());
        return new Ops(config, keys, ledger, new TandemMetrics(engineLoad, breakerStates));
    }

    /** Wraps the dispatcher (the router): gate → observer → cache → dispatcher. */
    public Backend guardDispatcher(Backend dispatcher) {
        Backend b = dispatcher;
        if (config.cache().enabled()) {
            b = new CachingBackend(b, config.cache(), metrics::cacheHit, metrics::cacheMiss);
        }
        b = new ObservingBackend(b, listeners);
        return new GateBackend(b, auth, limits, ledger, config.limits().enabled(), listeners, metrics::gateRejected);
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
        AuthFilter filter = new AuthFilter(auth);
        AdminApi admin = new AdminApi(keys, ledger, auth);
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

    @Override
    public void close() {
        ledger.close();
        keys.close();
    }
}
