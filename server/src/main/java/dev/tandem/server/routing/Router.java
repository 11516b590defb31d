package dev.tandem.server.routing;

import dev.tandem.models.EngineLoad;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.PromptTokens;
import dev.tandem.server.remote.RemoteBackends;
import dev.tandem.server.remote.RemotesConfig;
import dev.tandem.server.routing.RouteTable.Route;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one backend the edge talks to: plans an ordered chain of backends per request
 * ({@link RoutePlanner}: the model name, the effective policy, what the local model can serve, the
 * engine's load) and walks it ({@link ChainRun}), falling back until the commit point.
 *
 * <p>Effective policy = the server's ({@code routing.policy}), narrowed by the API key's (the
 * request's {@link dev.tandem.server.core.Caller}, as the gate read it from the key store), narrowed by
 * the request's own ({@link InferenceRequest#policy()}). Narrowing only: a request can never widen
 * what the server or its key allows.
 *
 * <p>Every Started carries the route reason. Compliance: with a server policy of local-only the
 * remote backends are dropped here and never built; with a request narrowed to local-only no remote
 * step is planned, so none is built or called.
 */
public final class Router implements Backend {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final RoutingConfig config;
    private final Backend local;
    private final String localModel;
    private final RemoteBackends remotes;
    private final RemotesConfig remotesConfig;
    private final RouteTable table;
    private final RoutePlanner planner;
    private final Hooks hooks;
    private final Map<String, Backend> wrappedRemotes = new ConcurrentHashMap<>();

    /**
     * Optional plug-ins from operations.
     *
     * @param wrapRemote applied once to each remote backend when it is first built (e.g. redaction)
     * @param onHiddenFailure told of each backend failure that a fallback hid from the client
     *     (backend name, error), e.g. for an upstream-errors metric
     */
    public record Hooks(UnaryOperator<Backend> wrapRemote, BiConsumer<String, ApiException> onHiddenFailure) {
        public static final Hooks NONE = new Hooks(b -> b, (backend, error) -> { });

        public Hooks {
            wrapRemote = wrapRemote == null ? b -> b : wrapRemote;
            onHiddenFailure = onHiddenFailure == null ? (backend, error) -> { } : onHiddenFailure;
        }
    }

    public Router(RoutingConfig config, Backend local, List<String> localModels, Supplier<EngineLoad> load, RemoteBackends remotes) {
        this(config, local, localModels, load, remotes, Hooks.NONE);
    }

    /**
     * @param local the local backend
     * @param localModels the names the local model answers to (first = the name passed to it for aliases)
     * @param load the engine's live load
     * @param remotes the lazily built upstreams; ignored (never touched) when the server policy is
     *     local-only; may be null when there are none
     */
    public Router(RoutingConfig config, Backend local, List<String> localModels, Supplier<EngineLoad> load, RemoteBackends remotes,
            Hooks hooks) {
        if (localModels.isEmpty()) {
            throw new IllegalArgumentException("at least one local model name is required");
        }
        this.config = config;
        this.local = local;
        this.localModel = localModels.get(0);
        this.hooks = hooks;
        this.remotes = config.policy().allowsRemote() ? remotes : null;
        this.remotesConfig = remotes != null ? remotes.config() : new RemotesConfig(Map.of());
        this.table = new RouteTable(Set.copyOf(localModels), config, remotesConfig);
        this.planner = new RoutePlanner(config, table, local, localModel, load,
                () -> this.remotes == null ? List.of() : this.remotes.enabled());
        if (config.policy() == Policy.REMOTE_ONLY && planner.fallbackNames().isEmpty()) {
            throw new IllegalArgumentException("routing.policy is remote-only but no remote backend is enabled (set remotes.*.apiKey)");
        }
        log.info("router: policy {}, local model {}, remote fallbacks {}", config.policy().wireName(), localModel,
                config.policy().allowsRemote() ? planner.fallbackNames() : "none (never built)");
    }

    @Override
    public String name() {
        return "router";
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        return Optional.empty(); // the router answers with a clear error from start() instead
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        Policy policy = effectivePolicy(request);
        RoutePlanner.Plan plan = planner.plan(request, policy);
        if (log.isDebugEnabled()) {
            log.debug("request {}: route for model {} under policy {}: {}; skipped: {}", request.requestId(), request.model(),
                    policy.wireName(), plan.describe(), plan.skipped().isEmpty() ? "none" : String.join("; ", plan.skipped()));
        }
        ChainRun run = new ChainRun(request, policy, plan.steps(), sink, this::backend,
                step -> forBackend(request, step), hooks.onHiddenFailure());
        run.startFirst();
        return run;
    }

    /**
     * The local engine's bound when every step of the request's chain is local (nothing could take the
     * calls it cannot hold); unbounded when a remote may take them, or when the request is refused anyway
     * ({@link #start} gives that answer).
     */
    @Override
    public int maxCallsAtOnce(InferenceRequest request) {
        List<Step> plan;
        try {
            plan = planner.plan(request, effectivePolicy(request)).steps();
        } catch (ApiException refused) {
            return Integer.MAX_VALUE;
        }
        return plan.stream().allMatch(step -> step instanceof Step.Local)
                ? local.maxCallsAtOnce(forBackend(request, plan.get(0))) : Integer.MAX_VALUE;
    }

    /** The local model's tokenizer, whatever the model named: the one this server has. */
    @Override
    public PromptTokens tokenize(InferenceRequest request) {
        return local.tokenize(request);
    }

    @Override
    public String detokenize(InferenceRequest request) {
        return local.detokenize(request);
    }

    /** The effective policy of a request: server, narrowed by key, narrowed by request. */
    Policy effectivePolicy(InferenceRequest request) {
        return config.policy().narrow(request.caller().policy(), "the API key").narrow(request.policy(), "the request");
    }

    /** Model names to list: the local ones, the aliases, and the remote defaults when remote is allowed. */
    public List<String> knownModels(List<String> localModels) {
        Set<String> names = new LinkedHashSet<>(localModels);
        names.addAll(config.aliases());
        for (String name : planner.fallbackNames()) {
            String m = remotesConfig.get(name).defaultModel();
            if (m != null) {
                names.add(m);
            }
        }
        return List.copyOf(names);
    }

    /**
     * True when {@code model} names a route (local, alias, or a remote model of a configured upstream),
     * whatever the policy: the edge's model check should accept these and let {@link #start} give the precise
     * answer (e.g. 403 for a remote model under local-only, rather than a misleading 404).
     */
    public boolean knows(String model) {
        Route route = table.resolve(model);
        if (route instanceof Route.Remote r) {
            return remotesConfig.get(r.upstream()).active(); // a remote without a key does not exist here
        }
        return !(route instanceof Route.Unknown);
    }

    /** Circuit-breaker state per remote upstream built so far, for metrics. Builds nothing. */
    public Map<String, CircuitState> circuitStates() {
        return remotes == null ? Map.of() : remotes.circuitStates();
    }

    /** The backend of a step: the local one, or the remote one built (and wrapped) on first use; null when not enabled. */
    private Backend backend(Step step) {
        if (step instanceof Step.Remote r) {
            return remotes.get(r.upstream())
                    .map(b -> wrappedRemotes.computeIfAbsent(r.upstream(), n -> hooks.wrapRemote().apply(b)))
                    .orElse(null);
        }
        return local;
    }

    /** An alias goes to the local engine under the local model's name. */
    private InferenceRequest forBackend(InferenceRequest request, Step step) {
        return step instanceof Step.Local && !table.isLocalName(request.model())
                ? request.toBuilder().withModel(localModel).build() : request;
    }
}
