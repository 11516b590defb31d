package dev.tandem.server.ops;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Tells the outcome listeners (ledger, metrics) how a request ended; one failing listener stops none of the others. */
public final class Outcomes {
    private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

    private final List<OutcomeListener> listeners;

    public Outcomes(List<OutcomeListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Runs each listener with the request's id in the MDC, so their log lines carry it. */
    public void publish(RequestOutcome o) {
        withRequestId(o.requestId(), () -> {
            for (OutcomeListener l : listeners) {
                try {
                    l.onOutcome(o);
                } catch (RuntimeException e) {
                    log.error("outcome listener {} failed: {}", l.getClass().getSimpleName(), e.toString());
                }
            }
        });
    }

    /** Runs {@code work} with {@code requestId} in the MDC (events may come on engine or HTTP-client threads). */
    public static void withRequestId(String requestId, Runnable work) {
        String previous = MDC.get(LogSetup.MDC_REQUEST_ID);
        MDC.put(LogSetup.MDC_REQUEST_ID, requestId);
        try {
            work.run();
        } finally {
            if (previous == null) {
                MDC.remove(LogSetup.MDC_REQUEST_ID);
            } else {
                MDC.put(LogSetup.MDC_REQUEST_ID, previous);
            }
        }
    }
}
