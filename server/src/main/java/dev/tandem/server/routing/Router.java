package dev.tandem.server.routing;

import dev.tandem.models.EngineLoad;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.PromptTokens;
import dev.tandem.server.core.RouteReason;
import dev.tandem.server.remote.RemoteBackends;
import dev.tandem.server.remote.RemotesConfig;
import dev.tandem.server.routing.RouteTable.Route;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one backend the edge talks to: picks an ordered chain of backends per request from the model
 * name, the effective policy and the engine's load, and falls back along it until the commit point.
 *
 * <p>Effective policy = the server's ({@code routing.policy}), narrowed by the API key's (the
 * request's {@link Caller}, as the gate read it from the key store), narrowed by the request's own
 * ({@link InferenceRequest#policy()}). Narrowing only: a request can never widen what the server or
 * its key allows.
 *
 * <p>Commit point: the first text or tool-call delta (or Finished) forwarded to the sink. Until
 * then Started is held back and a failure falls back to the next backend; when the current backend
 * is the last one there is nothing to fall back to, so Started is forwarded at once. Every Started
 * carries the route reason ({@link RouteReason}).
 *
 * <p>Compliance: with a server policy of local-only the remote backends are dropped here and never
 * built; with a request narrowed to local-only no remote step is planned, so none is built or called.
 */
public final class Router implements Backend {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final RoutingConfig config;
    private final Backend local;
    private final String localModel;
    private final Supplier<EngineLoad> load;
    private final RemoteBackends remotes;
    private final RouteTable table;
    private final RemotesConfig remotesConfig;
    private final Hooks hooks;
    private final Map<String, Backend> wrappedRemotes = new java.util.concurrent.ConcurrentHashMap<>();

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

    /**
     * @param local the local backend
     * @param localModels the names the local model answers to (first = the name passed to it for aliases)
     * @param load the engine's live load
     * @param remotes the lazily built upstreams; ignored (never touched) when the server policy is
     *     local-only; may be null when there are none
     */
    public Router(RoutingConfig config, Backend local, List<String> localModels, Supplier<EngineLoad> load, RemoteBackends remotes) {
        this(config, local, localModels, load, remotes, Hooks.NONE);
    }

    public Router(RoutingConfig config, Backend local, List<String> localModels, Supplier<EngineLoad> load, RemoteBackends remotes,
                  Hooks hooks) {
        this.hooks = hooks;
        if (localModels.isEmpty()) {
            throw new IllegalArgumentException("at least one local model name is required");
        }
        this.config = config;
        this.local = local;
        this.localModel = localModels.get(0);
        this.load = load;
        this.remotes = config.policy().allowsRemote() ? remotes : null;
        RemotesConfig remotesConfig = remotes != null ? remotes.config() : new RemotesConfig(Map.of());
        this.table = new RouteTable(Set.copyOf(localModels), config, remotesConfig);
        this.remotesConfig = remotesConfig;
        if (config.policy() == Policy.REMOTE_ONLY && enabledFallbacks().isEmpty()) {
            throw new IllegalArgumentException("routing.policy is remote-only but no remote backend is enabled (set remotes.*.apiKey)");
        }
        log.info("router: policy {}, local model {}, remote fallbacks {}", config.policy().wireName(), localModel,
                config.policy().allowsRemote() ? enabledFallbacks() : "none (never built)");
    }

    @Override
    public String name() {
        return "router";
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        return Optional.empty(); // the router answers with a clear error from start() instead
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

    /** Model names to list: the local ones, the aliases, and the remote defaults when remote is allowed. */
    public List<String> knownModels(List<String> localModels) {
        Set<String> names = new LinkedHashSet<>(localModels);
        names.addAll(config.aliases());
        for (String name : enabledFallbacks()) {
            String m = remotes.config().get(name).defaultModel();
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
            return remotesConfig.get(r.backend()).active(); // a remote without a key does not exist here
        }
        return !(route instanceof Route.Unknown);
    }

    /** Circuit-breaker state per remote upstream built so far, for metrics. Builds nothing. */
    public Map<String, CircuitState> circuitStates() {
        return remotes == null ? Map.of() : remotes.circuitStates();
    }

    /** The effective policy of a request: server, narrowed by key, narrowed by request. */
    public Policy effectivePolicy(InferenceRequest request) {
        Policy policy = config.policy().narrow(request.caller().policy(), "the API key");
        return policy.narrow(request.policy(), "the request");
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        Policy policy = effectivePolicy(request);
        List<Step> steps = plan(request, policy);
        ChainRun run = new ChainRun(request, policy, steps, sink);
        run.startFirst();
        return run;
    }

    /** One backend to try, and the reason to stamp if it serves. */
    private record Step(String backend, RouteReason reason) {
        boolean isLocal() {
            return backend.equals("local");
        }
    }

    private List<Step> plan(InferenceRequest request, Policy policy) {
        Route route = table.resolve(request.model());
        if (route instanceof Route.Unknown) {
            throw new ApiException(ErrorKind.NOT_FOUND, "model '" + request.model() + "' is not served here; try '" + localModel
                    + "' or one of " + config.aliases(), "model", null, null);
        }
        if (route instanceof Route.Remote r) {
            return planRemote(request, policy, r.backend());
        }
        Optional<String> localCannot = local.cannotServe(request);
        boolean overflow = route instanceof Route.Chain;
        if (!policy.allowsLocal()) {
            List<Step> steps = remoteSteps(RouteReason.POLICY);
            if (steps.isEmpty()) {
                throw new ApiException(ErrorKind.PERMISSION, "routing policy remote-only applies, but no remote backend is configured");
            }
            return steps;
        }
        if (!policy.allowsRemote() || !overflow || enabledFallbacks().isEmpty()) {
            if (localCannot.isPresent()) {
                String why = !policy.allowsRemote() ? "; routing policy local-only forbids remote backends"
                        : !overflow ? "; model '" + request.model() + "' is served locally only" : "; no remote backend is configured";
                throw ApiException.invalid(null, localCannot.get() + why);
            }
            return List.of(new Step("local", RouteReason.PRIMARY));
        }
        if (localCannot.isPresent()) {
            log.debug("request {}: local cannot serve ({}), going remote", request.requestId(), localCannot.get());
            return remoteSteps(RouteReason.CAPABILITY);
        }
        if (saturated()) {
            List<Step> steps = new ArrayList<>(remoteSteps(RouteReason.SATURATED));
            steps.add(new Step("local", RouteReason.PRIMARY)); // the last resort: queue, or a clear 429/529
            return steps;
        }
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("local", RouteReason.PRIMARY));
        steps.addAll(remoteSteps(null)); // reason decided by how local fails
        return steps;
    }

    /**
     * Saturated: the engine would refuse a submission now (as it decides: waiting beyond the queue
     * bound plus the free slots), or its estimated wait exceeds {@code routing.maxLocalWaitMs}.
     */
    private boolean saturated() {
        EngineLoad l;
        try {
            l = load.get();
        } catch (RuntimeException notReady) {
            return true; // e.g. the local model is still loading: let a remote serve meanwhile
        }
        boolean refuses = l.waiting() >= l.maxWaiting() + Math.max(0, l.maxRunning() - l.running());
        return refuses || l.estimatedWait().toMillis() > config.maxLocalWaitMs();
    }

    private List<Step> planRemote(InferenceRequest request, Policy policy, String backend) {
        if (!policy.allowsRemote()) {
            throw new ApiException(ErrorKind.PERMISSION, "model '" + request.model() + "' is served by the remote backend '" + backend
                    + "', and routing policy local-only forbids remote backends", "model", null, null);
        }
        if (remotes == null || !remotes.enabled().contains(backend)) {
            throw new ApiException(ErrorKind.NOT_FOUND, "model '" + request.model() + "' needs the " + backend
                    + " backend, which is not configured here", "model", null, null);
        }
        return List.of(new Step(backend, RouteReason.PRIMARY));
    }

    private List<Step> remoteSteps(RouteReason reason) {
        return enabledFallbacks().stream().map(name -> new Step(name, reason)).toList();
    }

    /** The configured fallbacks that are enabled, in order. Builds nothing. */
    private List<String> enabledFallbacks() {
        if (remotes == null) {
            return List.of();
        }
        List<String> enabled = remotes.enabled();
        return config.fallbacks().stream().filter(enabled::contains).toList();
    }

    /** The remote backend {@code name}, built (and wrapped) on first use; null when not enabled. */
    private Backend remote(String name) {
        Optional<Backend> built = remotes.get(name);
        return built.map(b -> wrappedRemotes.computeIfAbsent(name, n -> hooks.wrapRemote().apply(b))).orElse(null);
    }

    /** Failures worth trying the next backend for: saturation, rate limits, upstream trouble, local crashes. */
    private static boolean fallsBack(ApiException e) {
        return e.kind().retriable() || e.kind() == ErrorKind.INTERNAL;
    }

    /**
     * The local side refuses a request that does not fit its window: the engine with param
     * "max_tokens" (prompt + max_tokens too long), LocalBackend with a message naming the context
     * window (a prompt that leaves no room at all).
     */
    private static boolean tooLongForLocal(ApiException e) {
        return e.kind() == ErrorKind.INVALID_REQUEST
                && ("max_tokens".equals(e.param()) || (e.getMessage() != null && e.getMessage().contains("context window")));
    }

    private static boolean saturation(ApiException e) {
        return e.kind() == ErrorKind.OVERLOADED || e.kind() == ErrorKind.RATE_LIMITED;
    }

    /** One request walking its chain. */
    private final class ChainRun implements Call {
        private final InferenceRequest request;
        private final Policy policy;
        private final List<Step> steps;
        private final Consumer<InferenceEvent> sink;
        private int next;
        private int attempt;
        private RouteReason fallbackReason = RouteReason.LOCAL_ERROR;
        private volatile Call current;
        private volatile boolean cancelled;

        ChainRun(InferenceRequest request, Policy policy, List<Step> steps, Consumer<InferenceEvent> sink) {
            this.request = request;
            this.policy = policy;
            this.steps = steps;
            this.sink = sink;
        }

        /** On the caller's thread: failures to start are thrown, so the edge can answer with a status. */
        synchronized void startFirst() {
            ApiException last = tryFrom();
            if (last != null) {
                throw last;
            }
        }

        /** After a backend failed before the commit point: the next one, or the failure to the client. */
        synchronized void fallBack(Step failed, ApiException error) {
            if (cancelled) {
                return;
            }
            noteFailure(failed, error);
            ApiException last = tryFrom();
            if (last != null) {
                sink.accept(new InferenceEvent.Failed(last));
            }
        }

        /** Starts the next step that accepts; returns the error to report when none did. */
        private ApiException tryFrom() {
            ApiException last = null;
            while (next < steps.size() && !cancelled) {
                Step step = steps.get(next++);
                Backend backend = step.isLocal() ? local : remote(step.backend());
                if (backend == null) {
                    continue;
                }
                Optional<String> cannot = backend.cannotServe(request);
                if (cannot.isPresent()) {
                    last = ApiException.invalid(null, cannot.get());
                    continue;
                }
                try {
                    InferenceRequest forBackend = step.isLocal() && !table.isLocalName(request.model())
                            ? request.toBuilder().withModel(localModel).build() : request;
                    int mine = ++attempt;
                    Call call = backend.start(forBackend, new StepSink(step, next >= steps.size()));
                    if (attempt == mine) {
                        current = call; // unless that backend already failed and a later one took over
                    }
                    if (cancelled) {
                        call.cancel(); // the client went away while this backend was starting
                    }
                    return null;
                } catch (ApiException e) {
                    if (step.isLocal() && tooLongForLocal(e) && next < steps.size()) {
                        fallbackReason = RouteReason.CAPABILITY; // the local window is too small; a remote's may not be
                        log.info("request {}: too long for the local model ({}); going remote", request.requestId(), e.getMessage());
                        last = e;
                        continue;
                    }
                    if (!fallsBack(e) || next >= steps.size()) {
                        return e;
                    }
                    noteFailure(step, e);
                    last = e;
                }
            }
            return last != null ? last : new ApiException(ErrorKind.OVERLOADED, "no backend could take the request");
        }

        private void noteFailure(Step step, ApiException error) {
            if (step.isLocal()) {
                fallbackReason = saturation(error) ? RouteReason.SATURATED : RouteReason.LOCAL_ERROR;
            }
            log.warn("request {}: backend {} failed before the first token ({}: {}); falling back", request.requestId(),
                    step.backend(), error.kind(), error.getMessage());
            hooks.onHiddenFailure().accept(step.backend(), error);
        }

        @Override
        public void cancel() {
            cancelled = true;
            Call c = current;
            if (c != null) {
                c.cancel();
            }
        }

        /** The commit gate for one step. Events of one backend arrive in order, one at a time. */
        private final class StepSink implements Consumer<InferenceEvent> {
            private final Step step;
            private final boolean last;
            private InferenceEvent.Started pending;
            private boolean committed;
            private boolean done;

            StepSink(Step step, boolean last) {
                this.step = step;
                this.last = last;
            }

            @Override
            public void accept(InferenceEvent event) {
                if (cancelled || done) {
                    return;
                }
                if (!committed) {
                    if (event instanceof InferenceEvent.Failed f) {
                        if (!last && fallsBack(f.error())) {
                            done = true;
                            fallBack(step, f.error());
                            return;
                        }
                        done = true;
                        sink.accept(f);
                        return;
                    }
                    if (event instanceof InferenceEvent.Started s) {
                        pending = s;
                        if (!last) {
                            return; // held back: a fallback stays invisible until the first token
                        }
                    }
                    commit();
                    if (event instanceof InferenceEvent.Started) {
                        return;
                    }
                }
                if (event.isTerminal()) {
                    done = true;
                }
                sink.accept(event);
            }

            private void commit() {
                committed = true;
                RouteReason reason = step.reason() != null ? step.reason() : fallbackReason;
                InferenceEvent.Started started = pending != null ? pending
                        : new InferenceEvent.Started(step.backend(), request.model(), 0);
                log.info("request {}: model {} served by {} (route {}, policy {})", request.requestId(), request.model(),
                        started.backend(), reason.wireName(), policy.wireName());
                sink.accept(started.withRoute(reason));
            }
        }
    }
}
