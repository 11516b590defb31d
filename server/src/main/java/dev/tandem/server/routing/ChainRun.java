package dev.tandem.server.routing;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.CommitGate;
import dev.tandem.server.core.ErrorCode;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.LogContext;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.RouteReason;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request walking its chain: each step's backend is started in turn until one takes the request
 * and answers past its commit point ({@link CommitGate}); a failure before that goes on to the next
 * step, a failure after it reaches the client. Each step's attempt is its own object, so a backend
 * that fails while it is still being started (and the next one takes over) cannot be confused with
 * the one that now runs.
 */
final class ChainRun implements Backend.Call {
    private static final Logger log = LoggerFactory.getLogger(ChainRun.class);

    private final InferenceRequest request;
    private final Policy policy;
    private final List<Step> steps;
    private final Consumer<InferenceEvent> sink;
    private final Function<Step, Backend> backends;
    private final Function<Step, InferenceRequest> requestFor;
    private final BiConsumer<String, ApiException> onHiddenFailure;
    private int next;
    private RouteReason fallbackReason = RouteReason.LOCAL_ERROR;
    private volatile Attempt current;
    private volatile boolean cancelled;

    /**
     * @param backends the backend of a step, or null when it is not available
     * @param requestFor the request as that step's backend is given it
     * @param onHiddenFailure told of each failure a later step hid from the client (backend name, error)
     */
    ChainRun(InferenceRequest request, Policy policy, List<Step> steps, Consumer<InferenceEvent> sink,
            Function<Step, Backend> backends, Function<Step, InferenceRequest> requestFor,
            BiConsumer<String, ApiException> onHiddenFailure) {
        this.request = request;
        this.policy = policy;
        this.steps = steps;
        this.sink = sink;
        this.backends = backends;
        this.requestFor = requestFor;
        this.onHiddenFailure = onHiddenFailure;
    }

    /** On the caller's thread: failures to start are thrown, so the edge can answer with a status. */
    synchronized void startFirst() {
        ApiException failed = tryNext();
        if (failed != null) {
            throw failed;
        }
    }

    /** A backend failed before its commit point: the next one, or the failure to the client. */
    private synchronized void fallBack(Step failed, ApiException error) {
        if (cancelled) {
            return;
        }
        noteFailure(failed, error);
        ApiException last = tryNext();
        if (last != null) {
            sink.accept(new InferenceEvent.Failed(last));
        }
    }

    /** Starts the next step that accepts; returns the error to report when none did. */
    private ApiException tryNext() {
        ApiException last = null;
        while (next < steps.size() && !cancelled) {
            Step step = steps.get(next++);
            Backend backend = backends.apply(step);
            if (backend == null) {
                continue;
            }
            Optional<String> cannot = backend.cannotServe(request);
            if (cannot.isPresent()) {
                last = ApiException.invalid(null, cannot.get());
                continue;
            }
            Attempt attempt = new Attempt(step, next >= steps.size());
            current = attempt;
            try {
                attempt.running(backend.start(requestFor.apply(step), attempt));
                return null;
            } catch (ApiException e) {
                if (step instanceof Step.Local && e.code() == ErrorCode.CONTEXT_WINDOW && next < steps.size()) {
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
        if (step instanceof Step.Local) {
            fallbackReason = error.kind() == ErrorKind.OVERLOADED || error.kind() == ErrorKind.RATE_LIMITED
                    ? RouteReason.SATURATED : RouteReason.LOCAL_ERROR;
        }
        log.warn("request {}: backend {} failed before the first token ({}: {}); falling back", request.requestId(),
                step.backendName(), error.kind(), error.getMessage());
        onHiddenFailure.accept(step.backendName(), error);
    }

    /** Failures worth trying the next backend for: saturation, rate limits, upstream trouble, local crashes. */
    private static boolean fallsBack(ApiException e) {
        return e.kind().retriable() || e.kind() == ErrorKind.INTERNAL;
    }

    @Override
    public void cancel() {
        cancelled = true;
        Attempt a = current;
        if (a != null) {
            a.cancel();
        }
    }

    /** One step's attempt: its events through a commit gate, and its call once the backend has taken it. */
    private final class Attempt implements Consumer<InferenceEvent> {
        private final Step step;
        private final boolean last;
        private final CommitGate gate;
        private Backend.Call call;
        private boolean cancelledHere;

        Attempt(Step step, boolean last) {
            this.step = step;
            this.last = last;
            this.gate = new CommitGate(sink, this::stamp);
        }

        /** The backend took the request; a cancel that came meanwhile reaches it now. */
        synchronized void running(Backend.Call c) {
            call = c;
            if (cancelledHere || cancelled) {
                c.cancel();
            }
        }

        synchronized void cancel() {
            cancelledHere = true;
            gate.close();
            if (call != null) {
                call.cancel();
            }
        }

        @Override
        public void accept(InferenceEvent event) {
            synchronized (this) {
                if (cancelled || gate.closed()) {
                    return;
                }
                if (!(event instanceof InferenceEvent.Failed f) || gate.committed()) {
                    gate.pass(event);
                    if (last && event instanceof InferenceEvent.Started) {
                        gate.commit(); // nothing to fall back to: say who serves at once
                    }
                    return;
                }
                gate.close();
                if (last || !fallsBack(f.error())) {
                    sink.accept(f);
                    return;
                }
            }
            fallBack(step, ((InferenceEvent.Failed) event).error()); // outside this attempt's lock: it starts the next
        }

        private InferenceEvent.Started stamp(InferenceEvent.Started held) {
            RouteReason reason = step.reason() != null ? step.reason() : fallbackReason;
            InferenceEvent.Started started = held != null ? held : new InferenceEvent.Started(step.backendName(), request.model(), 0);
            // (on the thread of the backend's first event: the engine's, or an upstream's I/O thread)
            LogContext.withRequestId(request.requestId(), () -> log.info("request {}: model {} served by {} (route {}, policy {})",
                    request.requestId(), request.model(), started.backend(), reason.wireName(), policy.wireName()));
            return started.withRoute(reason);
        }
    }
}
