package dev.tandem.server.api.anthropic;

import dev.tandem.server.api.Edge;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Params;
import dev.tandem.server.api.RequestIds;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Sampling;
import io.javalin.http.Context;
import java.util.List;
import java.util.function.ToIntFunction;

/** {@code POST /v1/messages/count_tokens}: the prompt's tokens as the serving model counts them. */
public final class CountTokens {
    private final Edge edge;
    private final ToIntFunction<InferenceRequest> counter;

    public CountTokens(Edge edge, ToIntFunction<InferenceRequest> counter) {
        this.edge = edge;
        this.counter = counter;
    }

    public void handle(Context ctx) {
        MessagesWire.CountTokensRequest wire = edge.bodies().parse(ctx, MessagesWire.CountTokensRequest.class);
        Params.requiredText(wire.model(), "model");
        InferenceRequest request = new InferenceRequest(RequestIds.of(ctx), Dialect.ANTHROPIC, wire.model(),
                MessagesRequests.chat(wire.system(), wire.messages()), 1, Sampling.DEFAULTS, List.of(), null, false,
                MessagesRequests.tools(wire.tools()), null, null, Params.headers(ctx));
        edge.models().require(wire.model());
        ctx.contentType("application/json").result(Json.write(new MessagesWire.CountTokensResponse(counter.applyAsInt(request))));
    }
}
