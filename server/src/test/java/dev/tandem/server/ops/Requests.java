package dev.tandem.server.ops;

import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.Sampling;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small builders of internal requests for component tests. */
public final class Requests {
    private Requests() {}

    public static InferenceRequest chat(String model, String userText) {
        return chat(model, userText, Map.of());
    }

    public static InferenceRequest chat(String model, String userText, Map<String, String> headers) {
        return new InferenceRequest("req-" + UUID.randomUUID(), Dialect.OPENAI, model,
                new Input.Chat(null, List.of(Message.text(Role.USER, userText))), 16, Sampling.DEFAULTS,
                List.of(), null, false, List.of(), null, null, headers);
    }

    public static InferenceRequest greedy(InferenceRequest r) {
        Sampling s = new Sampling(0.0, null, null, null, null, null, null, null, false, 0);
        return new InferenceRequest(r.requestId(), r.dialect(), r.model(), r.input(), r.maxTokens(), s, r.stop(),
                r.topLogprobs(), r.stream(), r.tools(), r.toolChoice(), r.user(), r.headers());
    }

    public static InferenceRequest withHeader(InferenceRequest r, String name, String value) {
        Map<String, String> h = new HashMap<>(r.headers());
        h.put(name, value);
        return r.withHeaders(h);
    }
}
