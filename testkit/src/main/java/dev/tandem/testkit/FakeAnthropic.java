package dev.tandem.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fake Anthropic Messages API ({@code POST /v1/messages}) on loopback: checks {@code x-api-key},
 * {@code anthropic-version} and {@code max_tokens} as the real one does, and streams the real event
 * sequence (message_start with input tokens, content blocks with text and tool_use deltas, pings,
 * message_delta with cumulative output tokens, message_stop).
 */
public final class FakeAnthropic extends FakeUpstream {
    private static final ObjectMapper JSON = new ObjectMapper();

    public FakeAnthropic() {
        this("sk-ant-api03-fake-test-key-0123456789");
    }

    public FakeAnthropic(String apiKey) {
        super(apiKey);
    }

    @Override
    protected boolean handles(String method, String path) {
        return method.equals("POST") && path.equals("/v1/messages");
    }

    @Override
    protected Status validate(Received r) {
        if (!apiKey.equals(r.headers().get("x-api-key"))) {
            return new Status(401, "authentication_error", "invalid x-api-key", Map.of());
        }
        if (r.headers().get("anthropic-version") == null) {
            return new Status(400, "invalid_request_error", "anthropic-version: header is required", Map.of());
        }
        try {
            JsonNode body = JSON.readTree(r.body());
            if (!body.has("max_tokens")) {
                return new Status(400, "invalid_request_error", "max_tokens: Field required", Map.of());
            }
            if (!body.path("messages").isArray() || body.path("messages").isEmpty()) {
                return new Status(400, "invalid_request_error", "messages: at least one message is required", Map.of());
            }
            Status unthought = thinkingBeforeToolUse(body);
            if (unthought != null) {
                return unthought;
            }
        } catch (Exception e) {
            return new Status(400, "invalid_request_error", "There was an error parsing the body of your request", Map.of());
        }
        return null;
    }

    /**
     * Claude's rule for a tool loop with thinking on: the last assistant message, when it calls tools,
     * starts with a thinking block (the one its answer came with); the real API's words.
     */
    private static Status thinkingBeforeToolUse(JsonNode body) {
        String mode = body.path("thinking").path("type").asText("disabled");
        if (mode.equals("disabled")) {
            return null;
        }
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if (!"assistant".equals(m.path("role").asText()) || !m.path("content").isArray()) {
                continue;
            }
            boolean callsTools = false;
            for (JsonNode block : m.path("content")) {
                callsTools |= "tool_use".equals(block.path("type").asText());
            }
            String first = m.path("content").path(0).path("type").asText();
            if (callsTools && !first.equals("thinking") && !first.equals("redacted_thinking")) {
                return new Status(400, "invalid_request_error", "messages." + i + ".content.0.type: Expected `thinking` or "
                        + "`redacted_thinking`, but found `" + first + "`. When `thinking` is enabled, a final `assistant` message must "
                        + "start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks).", Map.of());
            }
            return null;
        }
        return null;
    }

    @Override
    protected List<String> streamFrames(Received request, Answer a) {
        String model = model(request, "claude-sonnet-4-5");
        List<String> frames = new ArrayList<>();
        ObjectNode message = JSON.createObjectNode();
        message.put("id", "msg_01" + nextId()).put("type", "message").put("role", "assistant").put("model", model);
        message.putArray("content");
        message.putNull("stop_reason").putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", a.inputTokens()).put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0).put("output_tokens", 1);
        ObjectNode start = JSON.createObjectNode().put("type", "message_start");
        start.set("message", message);
        frames.add(sse("message_start", start.toString()));
        int index = 0;
        if (a.thinking() != null) { // as Claude streams it: an empty thinking block, its text, its signature
            frames.add(sse("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                    + "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}"));
            for (String chunk : a.thinking().chunks()) {
                ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
                delta.putObject("delta").put("type", "thinking_delta").put("thinking", chunk);
                frames.add(sse("content_block_delta", delta.toString()));
            }
            ObjectNode signature = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
            signature.putObject("delta").put("type", "signature_delta").put("signature", a.thinking().signature());
            frames.add(sse("content_block_delta", signature.toString()));
            frames.add(sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
            index++;
        }
        if (!a.textChunks().isEmpty()) {
            frames.add(sse("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index
                    + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
            frames.add(sse("ping", "{\"type\": \"ping\"}"));
            for (String chunk : a.textChunks()) {
                ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
                delta.putObject("delta").put("type", "text_delta").put("text", chunk);
                frames.add(sse("content_block_delta", delta.toString()));
            }
            frames.add(sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}"));
            index++;
        }
        for (ToolCall call : a.toolCalls()) {
            ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", index);
            blockStart.putObject("content_block").put("type", "tool_use").put("id", call.id()).put("name", call.name()).putObject("input");
            frames.add(sse("content_block_start", blockStart.toString()));
            List<String> parts = new ArrayList<>();
            parts.add(""); // the real API opens with an empty partial_json
            parts.addAll(call.argumentParts());
            for (String part : parts) {
                ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
                delta.putObject("delta").put("type", "input_json_delta").put("partial_json", part);
                frames.add(sse("content_block_delta", delta.toString()));
            }
            frames.add(sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}"));
            index++;
        }
        ObjectNode messageDelta = JSON.createObjectNode().put("type", "message_delta");
        ObjectNode delta = messageDelta.putObject("delta").put("stop_reason", stop(a));
        if (a.stopSequence() != null) {
            delta.put("stop_sequence", a.stopSequence());
        } else {
            delta.putNull("stop_sequence");
        }
        messageDelta.putObject("usage").put("output_tokens", a.outputTokens());
        frames.add(sse("message_delta", messageDelta.toString()));
        frames.add(sse("message_stop", "{\"type\":\"message_stop\"}"));
        return frames;
    }

    @Override
    protected String textChunkMarker() {
        return "\"text_delta\"";
    }

    @Override
    protected String errorFrame(String errorType, String message) {
        return sse("error", errorBody(errorType, message));
    }

    @Override
    protected String jsonAnswer(Received request, Answer a) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "msg_01" + nextId()).put("type", "message").put("role", "assistant").put("model", model(request, "claude-sonnet-4-5"));
        ArrayNode content = root.putArray("content");
        if (a.thinking() != null) {
            content.addObject().put("type", "thinking").put("thinking", a.thinking().text()).put("signature", a.thinking().signature());
        }
        if (!a.textChunks().isEmpty()) {
            content.addObject().put("type", "text").put("text", a.fullText());
        }
        for (ToolCall call : a.toolCalls()) {
            ObjectNode block = content.addObject().put("type", "tool_use").put("id", call.id()).put("name", call.name());
            try {
                block.set("input", JSON.readTree(call.argumentsJson()));
            } catch (Exception e) {
                throw new IllegalArgumentException(e);
            }
        }
        root.put("stop_reason", stop(a));
        if (a.stopSequence() != null) {
            root.put("stop_sequence", a.stopSequence());
        } else {
            root.putNull("stop_sequence");
        }
        root.putObject("usage").put("input_tokens", a.inputTokens()).put("output_tokens", a.outputTokens());
        return root.toString();
    }

    @Override
    protected String errorBody(String errorType, String message) {
        ObjectNode root = JSON.createObjectNode().put("type", "error");
        root.putObject("error").put("type", errorType).put("message", message);
        return root.toString();
    }

    @Override
    protected Map<String, String> responseHeaders() {
        return Map.of("request-id", "req_011" + nextId());
    }

    private static String stop(Answer a) {
        if (a.stop() != null) {
            return a.stop();
        }
        return a.toolCalls().isEmpty() ? "end_turn" : "tool_use";
    }
}
