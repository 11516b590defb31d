package dev.tandem.server.fakes;

import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.ToolSpec;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Internal requests for tests. */
public final class Requests {
    private Requests() {}

    public static InferenceRequest chat(String model, String userText) {
        return chat(model, new Input.Chat(null, List.of(Message.text(Role.USER, userText))), Map.of());
    }

    public static InferenceRequest chat(String model, Input.Chat input, Map<String, String> headers) {
        return new InferenceRequest("req-" + UUID.randomUUID(), Dialect.OPENAI, model, input, 64, Sampling.DEFAULTS,
                List.of(), null, true, List.of(), null, null, headers);
    }

    /** {@code r} from a caller that wants the whole answer at once (stream: false). */
    public static InferenceRequest unstreamed(InferenceRequest r) {
        return new InferenceRequest(r.requestId(), r.dialect(), r.model(), r.input(), r.maxTokens(), r.sampling(), r.stop(),
                r.topLogprobs(), false, r.tools(), r.toolChoice(), r.user(), r.headers());
    }

    /** {@code r} offering one tool (get_weather, a city argument) that the model is required to call. */
    public static InferenceRequest withTools(InferenceRequest r) {
        return new InferenceRequest(r.requestId(), r.dialect(), r.model(), r.input(), r.maxTokens(), r.sampling(), r.stop(),
                r.topLogprobs(), r.stream(),
                List.of(new ToolSpec("get_weather", "Current weather",
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}")),
                "required", r.user(), r.headers());
    }
}
