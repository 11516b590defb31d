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
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

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

    /**
     * A request's chain, and the candidates left out of it or put back with why ("openai: not configured"),
     * for the debug line that says the routing decision.
     */
    record Plan(List<Step> steps, List<String> skipped) {
        Plan {
            steps = List.copyOf(steps);
            skipped = List.copyOf(skipped);
        }

        /** "local (primary), anthropic (if local fails)": a null reason is decided by how local fails. */
        String describe() {
            return steps.stream().map(s -> s.backendName() + " (" + (s.reason() == null ? "if local fails" : s.reason().wireName()) + ")")
                    .collect(Collectors.joining(", "));
        }
    }

    Plan plan(InferenceRequest request, Policy policy) {
        Route route = table.resolve(request.model());
        if (route instanceof Route.Unknown) {
            throw new ApiException(ErrorKind.NOT_FOUND, "model '" + request.model() + "' is not served here; try '" + localModel
                    + "' or one of " + config.aliases(), "model", null, null);
        }
        List<String> skipped = new ArrayList<>();
        if (route instanceof Route.Remote r) {
            skipped.add("local: model '" + request.model() + "' is " + r.upstream() + "'s");
            return new Plan(List.of(remoteOnly(request, policy, r.upstream())), skipped);
        }
        notConfigured(skipped);
        if (!policy.allowsLocal()) {
            List<Step> steps = fallbacks(RouteReason.POLICY);
            if (steps.isEmpty()) {
                throw new ApiException(ErrorKind.PERMISSION, "routing policy remote-only applies, but no remote backend is configured");
            }
            skipped.add("local: policy " + policy.wireName());
            return new Plan(steps, skipped);
        }
        Optional<String> localCannot = local.cannotServe(request);
        boolean mayOverflow = policy.allowsRemote() && route instanceof Route.Chain && !fallbackNames().isEmpty();
        if (!mayOverflow) {
            if (localCannot.isPresent()) {
                throw ApiException.invalid(null, localCannot.get() + whyNotRemote(request, policy, route));
            }
            if (!fallbackNames().isEmpty()) {
                skipped.add("remotes" + whyNotRemote(request, policy, route).replaceFirst("^;", ":"));
            }
            return new Plan(List.of(new Step.Local(RouteReason.PRIMARY)), skipped);
        }
        if (localCannot.isPresent()) {
            skipped.add("local: " + localCannot.get());
            return new Plan(fallbacks(RouteReason.CAPABILITY), skipped);
        }
        List<Step> steps = new ArrayList<>();
        Optional<String> saturated = saturated();
        if (saturated.isPresent()) {
            skipped.add("local first: " + saturated.get() + " (it stays the last resort)");
            steps.addAll(fallbacks(RouteReason.SATURATED));
            steps.add(new Step.Local(RouteReason.PRIMARY)); // the last resort: queue, or a clear 429/529
        } else {
            steps.add(new Step.Local(RouteReason.PRIMARY));
            steps.addAll(fallbacks(null)); // the reason is decided by how local fails
        }
        return new Plan(steps, skipped);
    }

    /** The configured fallbacks that are not enabled (no key, or switched off). */
    private void notConfigured(List<String> skipped) {
        List<String> enabled = enabledRemotes.get();
        config.fallbacks().stream().filter(name -> !enabled.contains(name)).forEach(name -> skipped.add(name + ": not configured"));
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
     * bound plus the free slots), or its estimated wait exceeds {@code routing.maxLocalWaitMs}. Says why.
     */
    private Optional<String> saturated() {
        EngineLoad l;
        try {
            l = load.get();
        } catch (RuntimeException notReady) {
            return Optional.of("not ready"); // e.g. the local model is still loading: let a remote serve meanwhile
        }
        boolean refuses = l.waiting() >= l.maxWaiting() + Math.max(0, l.maxRunning() - l.running());
        long waitMs = l.estimatedWait().toMillis();
        if (!refuses && waitMs <= config.maxLocalWaitMs()) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "saturated (%d of %d running, %d of %d waiting, estimated wait %d ms, "
                + "bound %d ms)", l.running(), l.maxRunning(), l.waiting(), l.maxWaiting(), waitMs, config.maxLocalWaitMs()));
    }
}
