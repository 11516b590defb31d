package dev.tandem.server.core;

import org.slf4j.MDC;

/**
 * Every log line of a request carries its id: the edge puts it in the logging context (MDC) under
 * {@link #REQUEST_ID} for the request's thread, and work done for the request on another thread
 * (engine, HTTP client) runs {@link #withRequestId}.
 */
public final class LogContext {
    /** The MDC key of the request id. */
    public static final String REQUEST_ID = "request_id"; // the field name the README gives

    private LogContext() {}

    /** Runs {@code work} with {@code requestId} in the MDC, then puts back what was there. */
    public static void withRequestId(String requestId, Runnable work) {
        String previous = MDC.get(REQUEST_ID);
        MDC.put(REQUEST_ID, requestId);
        try {
            work.run();
        } finally {
            if (previous == null) {
                MDC.remove(REQUEST_ID);
            } else {
                MDC.put(REQUEST_ID, previous);
            }
        }
    }
}
