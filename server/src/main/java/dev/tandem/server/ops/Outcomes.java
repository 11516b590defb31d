package dev.tandem.server.ops;

import dev.tandem.server.core.LogContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells the outcome listeners (ledger, metrics) how a request ended; one failing listener stops none of the others. */
public final class Outcomes {
    private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

    private final List<OutcomeListener> listeners;

    public Outcomes(List<OutcomeListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Runs each listener with the request's id in the MDC, so their log lines carry it. */
    public void publish(RequestOutcome o) {
        LogContext.withRequestId(o.requestId(), () -> {
            for (OutcomeListener l : listeners) {
                try {
                    l.onOutcome(o);
                } catch (RuntimeException e) {
                    log.error("outcome listener {} failed: {}", l.getClass().getSimpleName(), e.toString());
                }
            }
        });
    }
}
