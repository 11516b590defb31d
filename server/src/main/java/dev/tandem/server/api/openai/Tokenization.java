package dev.tandem.server.api.openai;

import dev.tandem.models.Engine;
import dev.tandem.models.Prompt;
import dev.tandem.server.api.Edge;
import dev.tandem.server.api.Json;
import dev.tandem.server.core.ApiException;
import io.javalin.http.Context;
import java.util.List;
import java.util.function.Supplier;

/** vLLM's {@code POST /tokenize} and {@code POST /detokenize}, on the local model's tokenizer. */
public final class Tokenization {
    private final Edge edge;
    private final Supplier<Engine> engine;

    public Tokenization(Edge edge, Supplier<Engine> engine) {
        this.edge = edge;
        this.engine = engine;
    }

    record TokenizeRequest(String model, String prompt, List<ChatWire.MessageIn> messages, Boolean addSpecialTokens) {}

    record TokenizeResponse(int count, int maxModelLen, int[] tokens) {}

    record DetokenizeRequest(String model, int[] tokens) {}

    record DetokenizeResponse(String prompt) {}

    public void tokenize(Context ctx) {
        TokenizeRequest r = edge.bodies().parse(ctx, TokenizeRequest.class);
        checkModel(r.model());
        if ((r.prompt() == null) == (r.messages() == null)) {
            throw ApiException.invalid("prompt", "Send exactly one of 'prompt' (a string) or 'messages'.");
        }
        Engine e = engine.get();
        int[] ids;
        if (r.prompt() != null) {
            ids = e.tokenizer().encode(r.prompt(), r.addSpecialTokens() == null || r.addSpecialTokens());
        } else {
            Prompt prompt = e.promptFormat().chat(dev.tandem.server.local.LocalPrompts.chatMessages(ChatRequests.chat(r.messages())));
            ids = prompt instanceof Prompt.Tokens t ? t.ids()
                    : e.tokenizer().encode(((Prompt.Text) prompt).text(), ((Prompt.Text) prompt).addSpecialTokens());
        }
        ctx.contentType("application/json").result(Json.write(new TokenizeResponse(ids.length, e.model().contextLength(), ids)));
    }

    public void detokenize(Context ctx) {
        DetokenizeRequest r = edge.bodies().parse(ctx, DetokenizeRequest.class);
        checkModel(r.model());
        if (r.tokens() == null) {
            throw ApiException.invalid("tokens", "'tokens' is required: an array of token ids.");
        }
        Engine e = engine.get();
        int vocab = e.tokenizer().vocabSize();
        for (int id : r.tokens()) {
            if (id < 0 || id >= vocab) {
                throw ApiException.invalid("tokens", "Token id " + id + " is outside the vocabulary [0, " + vocab + ").");
            }
        }
        ctx.contentType("application/json").result(Json.write(new DetokenizeResponse(e.tokenizer().decode(r.tokens()))));
    }

    private void checkModel(String model) {
        if (model != null) {
            edge.models().require(model);
        }
    }
}
