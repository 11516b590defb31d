package dev.tandem.server.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.ToolSpec;
import dev.tandem.server.core.TokenUsage;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/** Claude through the Messages API ({@code POST /v1/messages}, SSE). */
public final class AnthropicBackend extends RemoteBackend {
    static final String API_VERSION = "2023-06-01";
    private static final ObjectMapper JSON = Json.MAPPER;

    public AnthropicBackend(RemoteConfig config, ToIntFunction<InferenceRequest> promptCounter) {
        this("anthropic", config, promptCounter);
    }

    public AnthropicBackend(String name, RemoteConfig config, ToIntFunction<InferenceRequest> promptCounter) {
        super(name, config, promptCounter);
    }

    public AnthropicBackend(RemoteConfig config) {
        this(config, null);
    }

    @Override
    protected HttpRequest.Builder prepare(InferenceRequest request, String model, boolean stream) {
        HttpRequest.Builder b = post("/v1/messages", body(request, model, stream), stream).header("anthropic-version", API_VERSION);
        apiKey().ifPresent(key -> b.header("x-api-key", key));
        return b;
    }

    @Override
    StreamTranslator translator(InferenceRequest request, int estimatedInputTokens, Consumer<InferenceEvent> out) {
        return new Stream(out, scrubber, estimatedInputTokens);
    }

    /** The Messages API body. */
    static ObjectNode body(InferenceRequest r, String model, boolean stream) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        root.put("max_tokens", r.maxTokens());
        root.put("stream", stream);
        Input.Chat chat = (Input.Chat) r.input();
        List<String> system = new ArrayList<>();
        if (chat.system() != null && !chat.system().isEmpty()) {
            system.add(chat.system());
        }
        ArrayNode messages = root.putArray("messages");
        ObjectNode last = null;
        for (Message m : chat.messages()) {
            if (m.role() == Role.SYSTEM) {
                system.add(m.text());
                continue;
            }
            String role = m.role() == Role.ASSISTANT ? "assistant" : "user"; // tool results ride in a user turn
            List<ObjectNode> blocks = blocks(m.content());
            if (blocks.isEmpty()) {
                continue;
            }
            if (last != null && last.get("role").asText().equals(role)) {
                ((ArrayNode) last.get("content")).addAll(blocks); // one turn per role, as the API wants
            } else {
                last = messages.addObject();
                last.put("role", role);
                last.putArray("content").addAll(blocks);
            }
        }
        for (JsonNode turn : messages) {
            toolResultsFirst((ArrayNode) turn.get("content"));
        }
        if (!system.isEmpty()) {
            root.put("system", String.join("\n\n", system));
        }
        Sampling s = r.sampling();
        if (s.temperature() != null) {
            root.put("temperature", Math.min(1.0, s.temperature())); // Anthropic's range is [0, 1]
        }
        if (s.topP() != null) {
            root.put("top_p", s.topP());
        }
        if (s.topK() != null) {
            root.put("top_k", s.topK());
        }
        if (!r.stop().isEmpty()) {
            ArrayNode stops = root.putArray("stop_sequences");
            r.stop().forEach(stops::add);
        }
        if (!r.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (ToolSpec t : r.tools()) {
                ObjectNode tool = tools.addObject();
                tool.put("name", t.name());
                if (t.description() != null) {
                    tool.put("description", t.description());
                }
                tool.set("input_schema", Json.object(t.inputSchemaJson()));
            }
        }
        ToolChoice choice = ToolChoice.parse(r.toolChoice());
        if (choice != null) {
            ObjectNode c = root.putObject("tool_choice");
            if (choice.tool() != null) {
                c.put("type", "tool").put("name", choice.tool());
            } else {
                c.put("type", choice.mode().equals("required") ? "any" : choice.mode());
            }
        }
        if (r.user() != null) {
            root.putObject("metadata").put("user_id", r.user());
        }
        return root;
    }

    private static List<ObjectNode> blocks(List<Content> content) {
        List<ObjectNode> out = new ArrayList<>();
        for (Content c : content) {
            ObjectNode block = block(c);
            if (block != null) {
                out.add(block);
            }
        }
        return out;
    }

    private static ObjectNode block(Content c) {
        ObjectNode b = JSON.createObjectNode();
        if (c instanceof Content.Text t) {
            if (t.text().isEmpty()) {
                return null; // the API refuses empty text blocks
            }
            b.put("type", "text").put("text", t.text());
        } else if (c instanceof Content.Image img) {
            b.put("type", "image");
            ObjectNode source = b.putObject("source");
            Json.DataUrl inline = img.data() != null ? new Json.DataUrl(img.mediaType(), img.data()) : Json.DataUrl.parse(img.url());
            if (inline != null) {
                source.put("type", "base64").put("media_type", inline.mediaType()).put("data", inline.data());
            } else {
                source.put("type", "url").put("url", img.url());
            }
        } else if (c instanceof Content.ToolUse u) {
            b.put("type", "tool_use").put("id", u.id()).put("name", u.name());
            b.set("input", Json.object(u.argumentsJson()));
        } else if (c instanceof Content.ToolResult r) {
            b.put("type", "tool_result").put("tool_use_id", r.toolUseId());
            b.putArray("content").addAll(blocks(r.content()));
            if (r.isError()) {
                b.put("is_error", true);
            }
        }
        return b;
    }

    private static void toolResultsFirst(ArrayNode content) {
        List<JsonNode> results = new ArrayList<>();
        List<JsonNode> rest = new ArrayList<>();
        content.forEach(b -> ("tool_result".equals(b.path("type").asText()) ? results : rest).add(b));
        content.removeAll();
        content.addAll(results);
        content.addAll(rest);
    }

    @Override
    void translateReply(JsonNode reply, InferenceRequest request, int estimatedInputTokens, Consumer<InferenceEvent> out) {
        if ("error".equals(reply.path("type").asText())) {
            throw UpstreamErrors.fromStreamError("anthropic", reply, scrubber);
        }
        if (!reply.path("content").isArray()) {
            throw UpstreamErrors.transport("anthropic", ErrorKind.UPSTREAM, "reply without content");
        }
        JsonNode usage = reply.path("usage");
        int input = usage.hasNonNull("input_tokens")
                ? usage.get("input_tokens").asInt() + usage.path("cache_creation_input_tokens").asInt() + usage.path("cache_read_input_tokens").asInt()
                : estimatedInputTokens;
        out.accept(new InferenceEvent.Started("anthropic", reply.path("model").asText(null), input));
        int toolIndex = 0;
        for (JsonNode block : reply.path("content")) {
            switch (block.path("type").asText()) {
                case "text" -> {
                    if (!block.path("text").asText().isEmpty()) {
                        out.accept(new InferenceEvent.TextDelta(block.path("text").asText(), null));
                    }
                }
                case "tool_use" -> out.accept(new InferenceEvent.ToolCallDelta(toolIndex++, block.path("id").asText(),
                        block.path("name").asText(), block.path("input").isObject() ? block.get("input").toString() : "{}"));
                default -> { } // thinking blocks are not passed on, as in a stream
            }
        }
        StopReason reason = stopReason(reply.path("stop_reason").asText(null));
        out.accept(new InferenceEvent.Finished(reason, new TokenUsage(input, usage.path("output_tokens").asInt()),
                reason == StopReason.STOP_SEQUENCE ? reply.path("stop_sequence").asText(null) : null));
    }

    static StopReason stopReason(String wire) {
        if (wire == null) {
            return StopReason.END_TURN;
        }
        return switch (wire) {
            case "stop_sequence" -> StopReason.STOP_SEQUENCE;
            case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
            case "tool_use" -> StopReason.TOOL_USE;
            case "refusal" -> StopReason.REFUSAL;
            default -> StopReason.END_TURN; // end_turn, pause_turn
        };
    }

    /**
     * The Messages stream: message_start carries the input tokens, message_delta the cumulative
     * output tokens (replacing, never adding to, message_start's figure).
     */
    static final class Stream implements StreamTranslator {
        private final Consumer<InferenceEvent> out;
        private final KeyScrubber scrubber;
        private final Map<Integer, Integer> toolIndexOfBlock = new HashMap<>();
        private final int estimatedInput;
        private Integer freshInput;
        private int cacheCreation;
        private int cacheRead;
        private int outputTokens;
        private String stopReason;
        private String stopSequence;
        private boolean started;
        private boolean finished;

        /** @param estimatedInput the counted prompt, for an upstream (a proxy) that does not say */
        Stream(Consumer<InferenceEvent> out, KeyScrubber scrubber, int estimatedInput) {
            this.out = out;
            this.scrubber = scrubber;
            this.estimatedInput = estimatedInput;
        }

        /** Reads the prompt figures present in {@code usage}; an absent one keeps what an earlier event said. */
        private void inputUsage(JsonNode usage) {
            if (usage.hasNonNull("input_tokens")) {
                freshInput = usage.get("input_tokens").asInt();
            }
            if (usage.hasNonNull("cache_creation_input_tokens")) {
                cacheCreation = usage.get("cache_creation_input_tokens").asInt();
            }
            if (usage.hasNonNull("cache_read_input_tokens")) {
                cacheRead = usage.get("cache_read_input_tokens").asInt();
            }
        }

        private int inputTokens() {
            return freshInput == null ? estimatedInput : freshInput + cacheCreation + cacheRead;
        }

        @Override
        public void onEvent(SseReader.Event event) {
            JsonNode data = Json.parse("anthropic", event.data());
            String type = event.event() != null ? event.event() : data.path("type").asText();
            switch (type) {
                case "message_start" -> {
                    JsonNode message = data.path("message");
                    JsonNode usage = message.path("usage");
                    inputUsage(usage);
                    outputTokens = usage.path("output_tokens").asInt();
                    started = true;
                    out.accept(new InferenceEvent.Started("anthropic", message.path("model").asText(null), inputTokens()));
                }
                case "content_block_start" -> {
                    requireStarted();
                    JsonNode block = data.path("content_block");
                    String blockType = block.path("type").asText();
                    if ("tool_use".equals(blockType)) {
                        int toolIndex = toolIndexOfBlock.size();
                        toolIndexOfBlock.put(data.path("index").asInt(), toolIndex);
                        JsonNode input = block.path("input");
                        String args = input.isObject() && input.size() > 0 ? input.toString() : "";
                        out.accept(new InferenceEvent.ToolCallDelta(toolIndex, block.path("id").asText(), block.path("name").asText(), args));
                    } else if ("text".equals(blockType) && !block.path("text").asText().isEmpty()) {
                        out.accept(new InferenceEvent.TextDelta(block.path("text").asText(), null));
                    }
                }
                case "content_block_delta" -> {
                    requireStarted();
                    JsonNode delta = data.path("delta");
                    switch (delta.path("type").asText()) {
                        case "text_delta" -> {
                            String text = delta.path("text").asText();
                            if (!text.isEmpty()) {
                                out.accept(new InferenceEvent.TextDelta(text, null));
                            }
                        }
                        case "input_json_delta" -> {
                            Integer toolIndex = toolIndexOfBlock.get(data.path("index").asInt());
                            String part = delta.path("partial_json").asText();
                            if (toolIndex != null && !part.isEmpty()) {
                                out.accept(new InferenceEvent.ToolCallDelta(toolIndex, null, null, part));
                            }
                        }
                        default -> { } // thinking and signature deltas are not passed on
                    }
                }
                case "message_delta" -> {
                    JsonNode delta = data.path("delta");
                    if (delta.hasNonNull("stop_reason")) {
                        stopReason = delta.get("stop_reason").asText();
                    }
                    if (delta.hasNonNull("stop_sequence")) {
                        stopSequence = delta.get("stop_sequence").asText();
                    }
                    JsonNode usage = data.path("usage");
                    if (usage.hasNonNull("output_tokens")) {
                        outputTokens = usage.get("output_tokens").asInt(); // cumulative
                    }
                    inputUsage(usage);
                }
                case "message_stop" -> {
                    requireStarted();
                    finished = true;
                    StopReason reason = stopReason(stopReason);
                    out.accept(new InferenceEvent.Finished(reason, new TokenUsage(inputTokens(), outputTokens),
                            reason == StopReason.STOP_SEQUENCE ? stopSequence : null));
                }
                case "error" -> throw UpstreamErrors.fromStreamError("anthropic", data, scrubber);
                default -> { } // ping, content_block_stop, and events added later
            }
        }

        @Override
        public void onEnd() {
            if (!finished) {
                throw UpstreamErrors.transport("anthropic", ErrorKind.UPSTREAM, "stream ended before message_stop");
            }
        }

        private void requireStarted() {
            if (!started) {
                throw UpstreamErrors.transport("anthropic", ErrorKind.UPSTREAM, "stream did not begin with message_start");
            }
        }
    }
}
