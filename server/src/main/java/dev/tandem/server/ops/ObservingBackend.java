package dev.tandem.server.ops;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.LogContext;
import dev.tandem.server.core.RouteReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Wraps the dispatcher and reports exactly one {@link RequestOutcome} per request: finished, failed
 * (at start or later), or cancelled. Listeners run before the terminal event goes on, so a ledger
 * row is committed before the client sees the end of its answer.
 */
public final class ObservingBackend extends ForwardingBackend {
    private final Outcomes outcomes;
    private final Clock clock;

    public ObservingBackend(Backend inner, List<OutcomeListener> listeners) {
        this(inner, listeners, Clock.systemUTC());
    }

    public ObservingBackend(Backend inner, List<OutcomeListener> listeners, Clock clock) {
        super(inner);
        this.outcomes = new Outcomes(listeners);
        this.clock = clock;
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        Tracker t = new Tracker(request, clock.instant(), System.nanoTime());
        Call call;
        try {
            call = inner.start(request, event -> {
                Runnable pass = () -> {
                    t.see(event);
                    sink.accept(event);
                };
                // the listeners (ledger, metrics) and what ends the request log with its id; the deltas
                // before it log nothing, and an MDC write copies logback's map: not once per token
                if (event.isTerminal()) {
                    LogContext.withRequestId(request.requestId(), pass);
                } else {
                    pass.run();
                }
            });
        } catch (ApiException e) {
            t.end(RequestOutcome.Status.ERROR, e);
            throw e;
        }
        return () -> {
            call.cancel();
            t.end(RequestOutcome.Status.CANCELLED, null);
        };
    }

    /** The state of one request; ends once, whichever of finish, failure or cancel comes first. */
    private final class Tracker {
        private final InferenceRequest request;
        private final Instant time;
        private final long t0;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile String backend = RequestOutcome.NO_BACKEND;
        private volatile RouteReason route;
        private volatile String servedModel;
        private volatile int promptTokens;
        private volatile int deltas;
        private volatile long firstTokenNanos = -1;

        Tracker(InferenceRequest request, Instant time, long t0) {
            this.request = request;
            this.time = time;
            this.t0 = t0;
        }

        void see(InferenceEvent event) {
            if (event instanceof InferenceEvent.Started s) {
                backend = s.backend();
                servedModel = s.model();
                route = s.route();
                promptTokens = s.inputTokens();
            } else if (event.isContent()) {
                if (firstTokenNanos < 0) {
                    firstTokenNanos = System.nanoTime();
                }
                deltas++;
            } else if (event instanceof InferenceEvent.Finished f) {
                promptTokens = Math.max(promptTokens, f.usage().inputTokens());
                deltas = f.usage().outputTokens();
                end(RequestOutcome.Status.OK, null);
            } else if (event instanceof InferenceEvent.Failed f) {
                end(RequestOutcome.Status.ERROR, f.error());
            }
        }

        void end(RequestOutcome.Status status, ApiException error) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            long now = System.nanoTime();
            outcomes.publish(RequestOutcome.builder(time, request.requestId())
                    .withKeyId(request.caller().keyId())
                    .withDialect(request.dialect().name().toLowerCase(java.util.Locale.ROOT))
                    .withModel(request.model())
                    .withServedModel(servedModel)
                    .withBackend(backend)
                    .withRoute(route)
                    .withTokens(promptTokens, deltas)
                    .withTimeToFirstToken(firstTokenNanos < 0 ? null : Duration.ofNanos(firstTokenNanos - t0))
                    .withTotal(Duration.ofNanos(now - t0))
                    .withStatus(status, error == null ? null : error.kind())
                    .build());
        }
    }
}
