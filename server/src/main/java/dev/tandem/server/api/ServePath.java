package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.ModelCatalog;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The one path every generation endpoint takes, as vLLM's {@code serving_chat} shares one
 * {@code create_chat_completion}: read and check the body ({@link Endpoint#prepare}), check the
 * model and that the calls could ever be held at once, then start the calls on the dispatcher and either stream their events in the dialect's
 * frames ({@link Streaming}) or gather them and write the whole answer ({@link Completed}). Also what
 * the other routes of the edges share: the dispatcher, the model names, the body reader, and who is
 * calling.
 */
public final class ServePath {
    private final Backend backend;
    private final ModelCatalog models;
    private final Bodies bodies;
    private final Function<Context, Caller> callers;
    private final long pingMs;

    /**
     * @param backend the dispatcher: the one backend the edges talk to
     * @param callers who is calling, as the authentication before-handler found it
     * @param pingMs keep-alive period on streams
     */
    public ServePath(Backend backend, ModelCatalog models, Bodies bodies, Function<Context, Caller> callers, long pingMs) {
        this.backend = backend;
        this.models = models;
        this.bodies = bodies;
        this.callers = callers;
        this.pingMs = pingMs;
    }

    /** The route handler of {@code endpoint}. */
    public <W> Handler handler(Endpoint<W> endpoint) {
        return ctx -> serve(ctx, endpoint);
    }

    private <W> void serve(Context ctx, Endpoint<W> endpoint) {
        Endpoint.Exchange exchange = endpoint.prepare(bodies.parse(ctx, endpoint.wireType()), origin(ctx));
        models.require(exchange.model());
        List<InferenceRequest> requests = exchange.requests();
        int most = backend.maxCallsAtOnce(requests.get(0));
        if (requests.size() > most) {
            throw ApiException.invalid("n", "This request asks for " + requests.size() + " generations at once (n, times the prompts); "
                    + "this server holds at most " + most + " at once, however idle: ask for " + most + " or fewer.");
        }
        if (exchange.stream()) {
            try (CallGroup group = CallGroup.start(backend, requests)) {
                Streaming.run(ctx, group, exchange.streamFormat(), endpoint.errors(), pingMs);
            }
        } else {
            Completed.respondWhenDone(ctx, Completed.gather(backend, requests), done -> {
                ResponseHeaders.apply(ctx, done.get(0).started());
                ctx.contentType("application/json").result(Json.write(exchange.body(done)));
            });
        }
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

    /** The request's id, its caller, the routing policy it asks for, and its Anthropic beta flags. */
    public Origin origin(Context ctx) {
        return new Origin(RequestIds.of(ctx), callers.apply(ctx), Origin.policyHeader(ctx.header(Origin.POLICY_HEADER)),
                Origin.betaHeader(Collections.list(ctx.req().getHeaders(Origin.BETA_HEADER))));
    }
}
