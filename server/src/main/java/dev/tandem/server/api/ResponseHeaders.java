package dev.tandem.server.api;

import dev.tandem.server.core.InferenceEvent;
import io.javalin.http.Context;

/** Who served a response and why, from the first Started event. */
public final class ResponseHeaders {
    public static final String BACKEND = "x-tandem-backend";
    public static final String ROUTE = "x-tandem-route";

    private ResponseHeaders() {}

    public static void apply(Context ctx, InferenceEvent.Started started) {
        ctx.res().setHeader(BACKEND, started.backend());
        ctx.res().setHeader(ROUTE, started.route() == null ? "primary" : started.route());
    }
}
