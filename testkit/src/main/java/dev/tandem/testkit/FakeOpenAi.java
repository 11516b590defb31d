package dev.tandem.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fake OpenAI Chat Completions API ({@code POST /v1/chat/completions}) on loopback: checks the
 * bearer key (its 401 echoes a masked key, as the real one does), streams {@code chat.completion.chunk}s
 * with the role in the first chunk, tool_calls deltas, finish_reason in the last content chunk, a
 * {@code choices: []} usage chunk when {@code stream_options.include_usage} is set, an SSE comment,
 * and {@code data: [DONE]}.
 */
public final class FakeOpenAi extends FakeUpstream {
    private static final ObjectMapper JSON = new ObjectMapper();
    private volatile boolean sendsUsage = true;

    public FakeOpenAi() {
        this("sk-proj-fakeTestKey0123456789abcdef");
    }

    public FakeOpenAi(String apiKey) {
        super(apiKey);
    }

    /** Off: a host that never reports token usage (some OpenAI-compatible servers), streamed or not. */
    public FakeOpenAi sendsUsage(boolean on) {
        sendsUsage = on;
        return this;
    }

    @Override
    protected boolean handles(String method, String path) {
        return method.equals("POST") && path.equals("/v1/chat/completions");
    }

    @Override
    protected Status validate(Received r) {
        String auth = r.headers().getOrDefault("authorization", "");
        if (!auth.equals("Bearer " + apiKey)) {
            String given = auth.startsWith("Bearer ") ? auth.substring(7) : "";
            String masked = given.length() > 8 ? given.substring(0, 3) + "*****" + given.substring(given.length() - 4) : "***";
            return new Status(401, "invalid_request_error", "Incorrect API key provided: " + masked
                    + ". You can find your API key at https://platform.openai.com/account/api-keys.", Map.of());
        }
        try {
            JsonNode body = JSON.readTree(r.body());
            if (!body.path("messages").isArray() || body.path("messages").isEmpty()) {
                return new Status(400, "invalid_request_error", "[] is too short - 'messages'", Map.of());
            }
            if (body.has("stream_options") && !body.path("stream").asBoolean(false)) {
                return new Status(400, "invalid_request_error", "The 'stream_options' parameter is only allowed when 'stream' is enabled.", Map.of());
            }
        } catch (Exception e) {
            return new Status(400, "invalid_request_error", "We could not parse the JSON body of your request.", Map.of());
        }
        return null;
    }

    @Override
    protected List<String> streamFrames(Received request, Answer a) {
        String id = "chatcmpl-" + nextId();
        String model = model(request, "gpt-4o");
        boolean includeUsage = sendsUsage && json(request.body()).path("stream_options").path("include_usage").asBoolean(false);
        List<String> frames = new ArrayList<>();
        ObjectNode first = chunk(id, model, includeUsage);
        first.putArray("choices").addObject().put("index", 0).putNull("finish_reason")
                .putObject("delta").put("role", "assistant").put("content", "");
        frames.add(FakeUpstream.sse(null, first.toString()));
        frames.add(": keep-alive\n\n");
        for (String text : a.textChunks()) {
            ObjectNode c = chunk(id, model, includeUsage);
            c.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta").put("content", text);
            frames.add(FakeUpstream.sse(null, c.toString()));
        }
        for (int i = 0; i < a.toolCalls().size(); i++) {
            ToolCall call = a.toolCalls().get(i);
            ObjectNode open = chunk(id, model, includeUsage);
            ArrayNode calls = open.putArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").putArray("tool_calls");
            calls.addObject().put("index", i).put("id", call.id()).put("type", "function")
                    .putObject("function").put("name", call.name()).put("arguments", "");
            frames.add(FakeUpstream.sse(null, open.toString()));
            for (String part : call.argumentParts()) {
                ObjectNode c = chunk(id, model, includeUsage);
                c.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta").putArray("tool_calls")
                        .addObject().put("index", i).putObject("function").put("arguments", part);
                frames.add(FakeUpstream.sse(null, c.toString()));
            }
        }
        ObjectNode last = chunk(id, model, includeUsage);
        last.putArray("choices").addObject().put("index", 0).put("finish_reason", finish(a)).putObject("delta");
        frames.add(FakeUpstream.sse(null, last.toString()));
        if (includeUsage) {
            ObjectNode usage = chunk(id, model, false);
            usage.putArray("choices");
            usage.putObject("usage").put("prompt_tokens", a.inputTokens()).put("completion_tokens", a.outputTokens())
                    .put("total_tokens", a.inputTokens() + a.outputTokens());
            frames.add(FakeUpstream.sse(null, usage.toString()));
        }
        frames.add(FakeUpstream.sse(null, "[DONE]"));
        return frames;
    }

    @Override
    protected String textChunkMarker() {
        return "\"delta\":{\"content\":";
    }

    @Override
    protected String errorFrame(String errorType, String message) {
        return FakeUpstream.sse(null, errorBody(errorType, message));
    }

    @Override
    protected String jsonAnswer(Received request, Answer a) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-" + nextId()).put("object", "chat.completion").put("created", 1_763_700_000L).put("model", model(request, "gpt-4o"));
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (a.textChunks().isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", a.fullText());
        }
        if (!a.toolCalls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall call : a.toolCalls()) {
                calls.addObject().put("id", call.id()).put("type", "function")
                        .putObject("function").put("name", call.name()).put("arguments", call.argumentsJson());
            }
        }
        choice.put("finish_reason", finish(a));
        if (sendsUsage) {
            root.putObject("usage").put("prompt_tokens", a.inputTokens()).put("completion_tokens", a.outputTokens())
                    .put("total_tokens", a.inputTokens() + a.outputTokens());
        }
        return root.toString();
    }

    @Override
    protected String errorBody(String errorType, String message) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error").put("message", message).put("type", errorType).putNull("param");
        error.put("code", errorType.equals("insufficient_quota") ? "insufficient_quota" : null);
        return root.toString();
    }

    @Override
    protected Map<String, String> responseHeaders() {
        return Map.of("x-request-id", "req_" + nextId(), "openai-processing-ms", "42");
    }

    private static ObjectNode chunk(String id, String model, boolean usageNull) {
        ObjectNode c = JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                .put("created", 1_763_700_000L).put("model", model).put("system_fingerprint", "fp_fake");
        if (usageNull) {
            c.putNull("usage");
        }
        return c;
    }

    private static String finish(Answer a) {
        if (a.stop() != null) {
            return a.stop();
        }
        return a.toolCalls().isEmpty() ? "stop" : "tool_calls";
    }
}
