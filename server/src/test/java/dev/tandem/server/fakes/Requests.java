package dev.tandem.server.fakes;

import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.ToolSpec;
import java.util.List;
import java.util.UUID;

/** Internal requests for tests, as builders: each test says what matters to it and builds. */
public final class Requests {
    /** One tool, get_weather with a city argument. */
    public static final List<ToolSpec> WEATHER_TOOL = List.of(new ToolSpec("get_weather", "Current weather",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));

    private Requests() {}

    /** A one-message chat from an anonymous caller with the builder's defaults: 16 tokens, not streamed. */
    public static InferenceRequest.Builder chat(String model, String userText) {
        return chat(model, new Input.Chat(null, List.of(Message.text(Role.USER, userText))));
    }

    public static InferenceRequest.Builder chat(String model, Input.Chat input) {
        return InferenceRequest.builder("req-" + UUID.randomUUID(), Dialect.OPENAI, model, input);
    }

    /** A chat as the routing and upstream tests send it: streamed, 64 tokens. */
    public static InferenceRequest.Builder streamedChat(String model, String userText) {
        return chat(model, userText).withMaxTokens(64).withStream(true);
    }

    public static InferenceRequest.Builder streamedChat(String model, Input.Chat input) {
        return chat(model, input).withMaxTokens(64).withStream(true);
    }
}
