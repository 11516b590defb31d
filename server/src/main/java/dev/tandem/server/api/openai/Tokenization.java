package dev.tandem.server.api.openai;

import dev.tandem.models.Prompt;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.ServePath;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.PromptTokens;
import io.javalin.http.Context;
import java.util.List;

/**
 * vLLM's {@code POST /tokenize} and {@code POST /detokenize}, on the serving model's tokenizer,
 * through the same gate as a generation (the key's model list and request limits apply). Without a
 * {@code model}, the server's first (its local) model.
 */
public final class Tokenization {
    private final ServePath edge;

    public Tokenization(ServePath edge) {
        this.edge = edge;
    }

    record TokenizeRequest(String model, String prompt, List<ChatWire.MessageIn> messages, Boolean addSpecialTokens) {}

    record TokenizeResponse(int count, int maxModelLen, int[] tokens) {}

    record DetokenizeRequest(String model, int[] tokens) {}

    record DetokenizeResponse(String prompt) {}

    public void tokenize(Context ctx) {
        TokenizeRequest r = edge.bodies().parse(ctx, TokenizeRequest.class);
        if ((r.prompt() == null) == (r.messages() == null)) {
            throw ApiException.invalid("prompt", "Send exactly one of 'prompt' (a string) or 'messages'.");
        }
        Input input = r.prompt() != null
                ? new Input.Completion(new Prompt.Text(r.prompt(), r.addSpecialTokens() == null || r.addSpecialTokens()), null, false)
                : ChatRequests.chat(r.messages());
        PromptTokens tokens = edge.backend().tokenize(request(ctx, r.model(), input));
        ctx.contentType("application/json").result(Json.write(new TokenizeResponse(tokens.count(), tokens.contextLength(), tokens.ids())));
    }

    public void detokenize(Context ctx) {
        DetokenizeRequest r = edge.bodies().parse(ctx, DetokenizeRequest.class);
        if (r.tokens() == null) {
            throw ApiException.invalid("tokens", "'tokens' is required: an array of token ids.");
        }
        String text = edge.backend().detokenize(request(ctx, r.model(), new Input.Completion(Prompt.tokens(r.tokens()), null, false)));
        ctx.contentType("application/json").result(Json.write(new DetokenizeResponse(text)));
    }

    private InferenceRequest request(Context ctx, String model, Input input) {
        String id = model != null ? edge.models().require(model).id() : edge.models().models().get(0).id();
        return edge.origin(ctx).request(Dialect.OPENAI, id, input).build();
    }
}
