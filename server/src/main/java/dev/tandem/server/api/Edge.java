package dev.tandem.server.api;

import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.ModelCatalog;
import io.javalin.http.Context;
import java.util.function.Function;

/**
 * What every dialect handler needs: the one backend it talks to (the dispatcher), the model names,
 * the body reader, who is calling, and two defaults.
 */
public final class Edge {
    private final Backend backend;
    private final ModelCatalog models;
    private final Bodies bodies;
    private final Function<Context, Caller> callers;
    private final int defaultMaxTokens;
    private final long pingMs;

    /**
     * @param callers who is calling, as the authentication before-handler found it
     * @param defaultMaxTokens chat max_tokens when the client sends none
     * @param pingMs keep-alive period on streams
     */
    public Edge(Backend backend, ModelCatalog models, Bodies bodies, Function<Context, Caller> callers, int defaultMaxTokens,
            long pingMs) {
        this.backend = backend;
        this.models = models;
        this.bodies = bodies;
        this.callers = callers;
        this.defaultMaxTokens = defaultMaxTokens;
        this.pingMs = pingMs;
    }

    public Backend backend() {
        return backend;
    }

    public ModelCatalog models() {
        return models;
    }

    public Bodies bodies() {
        return bodies;
    }

    public int defaultMaxTokens() {
        return defaultMaxTokens;
    }

    public long pingMs() {
        return pingMs;
    }

    /** The request's id, its caller and the routing policy it asks for. */
    public Origin origin(Context ctx) {
        return new Origin(RequestIds.of(ctx), callers.apply(ctx), Origin.policyHeader(ctx.header(Origin.POLICY_HEADER)));
    }
}
