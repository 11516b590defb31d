package dev.tandem.server.api.anthropic;

import dev.tandem.server.api.Json;
import dev.tandem.server.api.Params;
import dev.tandem.server.api.ServePath;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.ToolChoice;
import io.javalin.http.Context;

/**
 * {@code POST /v1/messages/count_tokens}: the prompt's tokens as the serving model counts them,
 * through the same gate as a generation (the key's model list and request limits apply).
 */
public final class CountTokens {
    private final ServePath edge;

    public CountTokens(ServePath edge) {
        this.edge = edge;
    }

    public void handle(Context ctx) {
        MessagesWire.CountTokensRequest wire = edge.bodies().parse(ctx, MessagesWire.CountTokensRequest.class);
        Params.requiredText(wire.model(), "model");
        InferenceRequest request = edge.origin(ctx)
                .request(Dialect.ANTHROPIC, wire.model(), MessagesRequests.chat(wire.system(), wire.messages()))
                .withMaxTokens(1)
                .withTools(MessagesRequests.tools(wire.tools()), ToolChoice.AUTO)
                .build();
        edge.models().require(wire.model());
        ctx.contentType("application/json").result(Json.write(new MessagesWire.CountTokensResponse(edge.backend().tokenize(request).count())));
    }
}
