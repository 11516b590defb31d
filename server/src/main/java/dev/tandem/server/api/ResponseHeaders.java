package dev.tandem.server.api;

import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.RouteReason;
import io.javalin.http.Context;

/** Who served a response and why, from the first Started event. */
public final class ResponseHeaders {
    public static final String BACKEND = "x-tandem-backend";
    public static final String ROUTE = "x-tandem-route";
    /** "hit" when the answer was replayed from the response cache. */
    public static final String CACHE = "x-tandem-cache";

    private ResponseHeaders() {}

    public static void apply(Context ctx, InferenceEvent.Started started) {
        ctx.res().setHeader(BACKEND, started.backend());
        ctx.res().setHeader(ROUTE, started.route().wireName());
        if (started.route() == RouteReason.CACHE) {
            ctx.res().setHeader(CACHE, "hit");
        }
    }
}
