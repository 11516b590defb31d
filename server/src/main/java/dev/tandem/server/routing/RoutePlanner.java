package dev.tandem.server.routing;

import dev.tandem.models.EngineLoad;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.RouteReason;
import dev.tandem.server.routing.RouteTable.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides a request's chain of backends, in this order: the model's route (local, the default chain,
 * or one remote), then what the effective policy allows, then whether the local model can serve it,
 * then whether the engine is saturated. Reads the engine's load; builds and calls nothing.
 */
final class RoutePlanner {
    private final RoutingConfig config;
    private final RouteTable table;
    private final Backend local;
    private final String localModel;
    private final Supplier<EngineLoad> load;
    private final Supplier<List<String>> enabledRemotes;

    /**
     * @param localModel the name the local model answers to (what aliases are passed to it as)
     * @param enabledRemotes the enabled upstreams (empty when none may be used)
     */
    RoutePlanner(RoutingConfig config, RouteTable table, Backend local, String localModel, Supplier<EngineLoad> load,
            Supplier<List<String>> enabledRemotes) {
        this.config = config;
        this.table = table;
        this.local = local;
        this.localModel = localModel;
        this.load = load;
        this.enabledRemotes = enabledRemotes;
    }

    List<Step> plan(InferenceRequest request, Policy policy) {
        Route route = table.resolve(request.model());
        if (route instanceof Route.Unknown) {
            throw new ApiException(ErrorKind.NOT_FOUND, "model '" + request.model() + "' is not served here; try '" + localModel
                    + "' or one of " + config.aliases(), "model", null, null);
        }
        if (route instanceof Route.Remote r) {
            return List.of(remoteOnly(request, policy, r.upstream()));
        }
        if (!policy.allowsLocal()) {
            List<Step> steps = fallbacks(RouteReason.POLICY);
            if (steps.isEmpty()) {
                throw new ApiException(ErrorKind.PERMISSION, "routing policy remote-only applies, but no remote backend is configured");
            }
            return steps;
        }
        Optional<String> localCannot = local.cannotServe(request);
        boolean mayOverflow = policy.allowsRemote() && route instanceof Route.Chain && !fallbackNames().isEmpty();
        if (!mayOverflow) {
            if (localCannot.isPresent()) {
                throw ApiException.invalid(null, localCannot.get() + whyNotRemote(request, policy, route));
            }
            return List.of(new Step.Local(RouteReason.PRIMARY));
        }
        if (localCannot.isPresent()) {
            return fallbacks(RouteReason.CAPABILITY);
        }
        List<Step> steps = new ArrayList<>();
        if (saturated()) {
            steps.addAll(fallbacks(RouteReason.SATURATED));
            steps.add(new Step.Local(RouteReason.PRIMARY)); // the last resort: queue, or a clear 429/529
        } else {
            steps.add(new Step.Local(RouteReason.PRIMARY));
            steps.addAll(fallbacks(null)); // the reason is decided by how local fails
        }
        return steps;
    }

    /** The remote fallbacks the configuration names and that are enabled, in its order. */
    List<String> fallbackNames() {
        List<String> enabled = enabledRemotes.get();
        return config.fallbacks().stream().filter(enabled::contains).toList();
    }

    private List<Step> fallbacks(RouteReason reason) {
        return fallbackNames().stream().<Step>map(name -> new Step.Remote(name, reason)).toList();
    }

    private Step remoteOnly(InferenceRequest request, Policy policy, String upstream) {
        if (!policy.allowsRemote()) {
            throw new ApiException(ErrorKind.PERMISSION, "model '" + request.model() + "' is served by the remote backend '" + upstream
                    + "', and routing policy local-only forbids remote backends", "model", null, null);
        }
        if (!enabledRemotes.get().contains(upstream)) {
            throw new ApiException(ErrorKind.NOT_FOUND, "model '" + request.model() + "' needs the " + upstream
                    + " backend, which is not configured here", "model", null, null);
        }
        return new Step.Remote(upstream, RouteReason.PRIMARY);
    }

    private String whyNotRemote(InferenceRequest request, Policy policy, Route route) {
        if (!policy.allowsRemote()) {
            return "; routing policy local-only forbids remote backends";
        }
        if (!(route instanceof Route.Chain)) {
            return "; model '" + request.model() + "' is served locally only";
        }
        return "; no remote backend is configured";
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
}
