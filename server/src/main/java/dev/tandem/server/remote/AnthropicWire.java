package dev.tandem.server.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.core.CacheBreakpoint;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Passthrough;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.core.ToolChoice;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Claude's Messages API ({@code POST /v1/messages}, SSE): the wire format {@code anthropic}. */
final class AnthropicWire implements WireFormat {
    static final String API_VERSION = "2023-06-01";

    private final Upstream upstream;

    AnthropicWire(Upstream upstream) {
        this.upstream = upstream;
    }

    @Override
    public Dialect dialect() {
        return Dialect.ANTHROPIC;
    }

    /** What Claude's API has no words for. */
    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        if (!request.sampling().logitBias().isEmpty()) {
            return Optional.of("logit_bias is not supported by Claude");
        }
        if (!request.sampling().stopTokenIds().isEmpty()) {
            return Optional.of("stop_token_ids are served by the local model only");
        }
        if (request.responseFormat() instanceof ResponseFormat.JsonObject) {
            return Optional.of("Claude has no JSON mode without a schema (send a json_schema response format)");
        }
        return Optional.empty();
    }

    /**
     * The Messages request: the caller's Anthropic fields (thinking, context management, ...) passed on
     * unchanged, and its beta flags as the {@code anthropic-beta} header.
     */
    @Override
    public HttpRequest.Builder request(InferenceRequest request, String model, boolean stream) {
        Passthrough extra = request.passthrough();
        Map<String, String> fields = new LinkedHashMap<>(extra.fieldsFor(Dialect.ANTHROPIC));
        fields.remove("output_config"); // merged into the body's own output_config
        HttpRequest.Builder b = upstream.post("/v1/messages", UpstreamJson.withFields(body(request, model, stream), fields), stream)
                .header("anthropic-version", API_VERSION);
        List<String> betas = extra.betasFor(Dialect.ANTHROPIC);
        if (!betas.isEmpty()) {
            b.header("anthropic-beta", String.join(",", betas));
        }
        upstream.apiKey().ifPresent(key -> b.header("x-api-key", key));
        return b;
    }

    @Override
    public StreamTranslator translator(String model, int estimatedInputTokens, Consumer<InferenceEvent> out) {
        return new Stream(upstream, out, estimatedInputTokens);
    }

    // The request body, as typed wire records (snake_case, unset fields left out)

    /** {@code system}: text, or one text block when the caller set a caching breakpoint on it. */
    record MessagesBody(String model, int maxTokens, boolean stream, List<Turn> messages, Object system, Double temperature,
            Double topP, Integer topK, List<String> stopSequences, List<ToolDef> tools, Choice toolChoice, ObjectNode outputConfig,
            Metadata metadata) {}

    record Turn(String role, List<Block> content) {}

    /** A content block; each says its own {@code type}, and carries the caller's {@code cache_control} (left out when none). */
    sealed interface Block permits TextBlock, ImageBlock, ToolUseBlock, ToolResultBlock, ThinkingBlock, RedactedThinkingBlock {
        String type();
    }

    record TextBlock(String type, String text, JsonNode cacheControl) implements Block {
        TextBlock(String text, JsonNode cacheControl) {
            this("text", text, cacheControl);
        }
    }

    record ImageBlock(String type, Source source, JsonNode cacheControl) implements Block {
        ImageBlock(Source source, JsonNode cacheControl) {
            this("image", source, cacheControl);
        }
    }

    /** {@code base64} with media type and data, or {@code url}. */
    record Source(String type, String mediaType, String data, String url) {}

    record ToolUseBlock(String type, String id, String name, JsonNode input, JsonNode cacheControl) implements Block {
        ToolUseBlock(String id, String name, JsonNode input, JsonNode cacheControl) {
            this("tool_use", id, name, input, cacheControl);
        }
    }

    /** {@code isError} is left out unless true. */
    record ToolResultBlock(String type, String toolUseId, List<Block> content, Boolean isError, JsonNode cacheControl) implements Block {
        ToolResultBlock(String toolUseId, List<Block> content, boolean isError, JsonNode cacheControl) {
            this("tool_result", toolUseId, content, isError ? Boolean.TRUE : null, cacheControl);
        }
    }

    /** An earlier answer's thinking, as Claude wrote it (it checks the signature). */
    record ThinkingBlock(String type, String thinking, String signature) implements Block {
        ThinkingBlock(String thinking, String signature) {
            this("thinking", thinking, signature);
        }
    }

    record RedactedThinkingBlock(String type, String data) implements Block {
        RedactedThinkingBlock(String data) {
            this("redacted_thinking", data);
        }
    }

    /** {@code strict} only when true; {@code cacheControl} only when the caller set one. */
    record ToolDef(String name, String description, JsonNode inputSchema, Boolean strict, JsonNode cacheControl) {}

    /** {@code auto}, {@code any}, {@code none}, or {@code tool} with its name; {@code disableParallelToolUse} only when true. */
    record Choice(String type, String name, Boolean disableParallelToolUse) {}

    record Metadata(String userId) {}

    /** The Messages API body: system text on top, one turn per role in turn, tool results first in a turn. */
    static MessagesBody body(InferenceRequest r, String model, boolean stream) {
        Input.Chat chat = (Input.Chat) r.input();
        List<String> system = new ArrayList<>();
        if (chat.system() != null && !chat.system().isEmpty()) {
            system.add(chat.system());
        }
        List<String> roles = new ArrayList<>();
        List<List<Block>> contents = new ArrayList<>();
        for (Message m : chat.messages()) {
            if (m.role() == Role.SYSTEM) {
                system.add(m.text());
                continue;
            }
            String role = m.role() == Role.ASSISTANT ? "assistant" : "user"; // tool results ride in a user turn
            List<Block> blocks = blocks(m.content());
            if (blocks.isEmpty()) {
                continue;
            }
            if (!roles.isEmpty() && roles.get(roles.size() - 1).equals(role)) {
                contents.get(contents.size() - 1).addAll(blocks); // one turn per role, as the API wants
            } else {
                roles.add(role);
                contents.add(new ArrayList<>(blocks));
            }
        }
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < roles.size(); i++) {
            turns.add(new Turn(roles.get(i), toolResultsFirst(contents.get(i))));
        }
        Sampling s = r.sampling();
        String systemText = system.isEmpty() ? null : String.join("\n\n", system);
        return new MessagesBody(model, r.maxTokens(), stream, turns,
                systemText == null || chat.systemCache() == null ? systemText
                        : List.of(new TextBlock(systemText, cacheControl(chat.systemCache()))),
                s.temperature() == null ? null : Math.min(1.0, s.temperature()), // Anthropic's range is [0, 1]
                s.topP(), s.topK(),
                r.stop().isEmpty() ? null : r.stop(),
                r.tools().isEmpty() ? null : r.tools().stream().map(t -> new ToolDef(t.name(), t.description(),
                        UpstreamJson.object(t.inputSchemaJson()), t.strict() ? Boolean.TRUE : null, cacheControl(t.cache()))).toList(),
                r.tools().isEmpty() ? null : choice(r.toolChoice()),
                outputConfig(r),
                r.user() == null ? null : new Metadata(r.user()));
    }

    /**
     * {@code output_config}: what an Anthropic caller put there (effort, a task budget), with the response
     * format as {@code format} ({@code {"type": "json_schema", "schema": ...}}); none when both are empty.
     */
    static ObjectNode outputConfig(InferenceRequest r) {
        String passed = r.passthrough().fieldsFor(Dialect.ANTHROPIC).get("output_config");
        ObjectNode config = passed == null ? UpstreamJson.MAPPER.createObjectNode() : UpstreamJson.object(passed);
        if (r.responseFormat() instanceof ResponseFormat.JsonSchema schema) {
            ObjectNode format = config.putObject("format");
            format.put("type", "json_schema");
            format.set("schema", UpstreamJson.object(schema.schemaJson()));
        }
        return config.isEmpty() ? null : config;
    }

    /** The choice in Claude's words; none for the default (auto, parallel calls allowed). */
    static Choice choice(ToolChoice choice) {
        Boolean serial = choice.parallel() ? null : Boolean.TRUE;
        return switch (choice.mode()) {
            case AUTO -> serial == null ? null : new Choice("auto", null, serial);
            case NONE -> new Choice("none", null, null);
            case REQUIRED -> new Choice("any", null, serial);
            case NAMED -> new Choice("tool", choice.name(), serial);
        };
    }

    private static List<Block> blocks(List<Content> content) {
        List<Block> out = new ArrayList<>();
        for (Content c : content) {
            Block block = block(c);
            if (block != null) {
                out.add(block);
            }
        }
        return out;
    }

    private static Block block(Content c) {
        if (c instanceof Content.Text t) {
            return t.text().isEmpty() ? null : new TextBlock(t.text(), cacheControl(t.cache())); // the API refuses empty text blocks
        }
        if (c instanceof Content.Image img) {
            UpstreamJson.DataUrl inline = img.data() != null ? new UpstreamJson.DataUrl(img.mediaType(), img.data())
                    : UpstreamJson.DataUrl.parse(img.url());
            return new ImageBlock(inline != null ? new Source("base64", inline.mediaType(), inline.data(), null)
                    : new Source("url", null, null, img.url()), cacheControl(img.cache()));
        }
        if (c instanceof Content.Thinking t) {
            return t.redacted() != null ? new RedactedThinkingBlock(t.redacted()) : new ThinkingBlock(t.text(), t.signature());
        }
        if (c instanceof Content.ToolUse u) {
            return new ToolUseBlock(u.id(), u.name(), UpstreamJson.object(u.argumentsJson()), cacheControl(u.cache()));
        }
        Content.ToolResult r = (Content.ToolResult) c;
        return new ToolResultBlock(r.toolUseId(), blocks(r.content()), r.isError(), cacheControl(r.cache()));
    }

    /** The caller's breakpoint as Claude takes it, or null. */
    private static JsonNode cacheControl(CacheBreakpoint cache) {
        return cache == null ? null : UpstreamJson.object(cache.json());
    }

    private static List<Block> toolResultsFirst(List<Block> content) {
        List<Block> out = new ArrayList<>(content.stream().filter(ToolResultBlock.class::isInstance).toList());
        content.stream().filter(b -> !(b instanceof ToolResultBlock)).forEach(out::add);
        return out;
    }

    @Override
    public void translateReply(JsonNode reply, String model, int estimatedInputTokens, Consumer<InferenceEvent> out) {
        if ("error".equals(reply.path("type").asText())) {
            throw UpstreamErrors.fromStreamError(upstream.name(), reply, upstream.scrubber());
        }
        if (!reply.path("content").isArray()) {
            throw UpstreamErrors.transport(upstream.name(), ErrorKind.UPSTREAM, "reply without content");
        }
        JsonNode usage = reply.path("usage");
        int input = usage.hasNonNull("input_tokens")
                ? usage.get("input_tokens").asInt() + usage.path("cache_creation_input_tokens").asInt() + usage.path("cache_read_input_tokens").asInt()
                : estimatedInputTokens;
        out.accept(new InferenceEvent.Started(upstream.name(), reply.path("model").asText(model), input));
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
                case "thinking" -> {
                    out.accept(InferenceEvent.ThinkingDelta.text(block.path("thinking").asText()));
                    if (block.hasNonNull("signature")) {
                        out.accept(InferenceEvent.ThinkingDelta.signature(block.get("signature").asText()));
                    }
                }
                case "redacted_thinking" -> out.accept(InferenceEvent.ThinkingDelta.redacted(block.path("data").asText()));
                default -> { } // server tool blocks and blocks added later
            }
        }
        StopReason reason = stopReason(reply.path("stop_reason").asText(null));
        int cacheRead = usage.hasNonNull("input_tokens") ? Math.min(input, usage.path("cache_read_input_tokens").asInt()) : 0;
        out.accept(new InferenceEvent.Finished(reason, new TokenUsage(input, usage.path("output_tokens").asInt(), cacheRead),
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
        private final Upstream upstream;
        private final Consumer<InferenceEvent> out;
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
        Stream(Upstream upstream, Consumer<InferenceEvent> out, int estimatedInput) {
            this.upstream = upstream;
            this.out = out;
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
            JsonNode data = UpstreamJson.parse(upstream.name(), event.data());
            String type = event.event() != null ? event.event() : data.path("type").asText();
            switch (type) {
                case "message_start" -> {
                    JsonNode message = data.path("message");
                    JsonNode usage = message.path("usage");
                    inputUsage(usage);
                    outputTokens = usage.path("output_tokens").asInt();
                    started = true;
                    out.accept(new InferenceEvent.Started(upstream.name(), message.path("model").asText(null), inputTokens()));
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
                    } else if ("thinking".equals(blockType)) {
                        // a thinking block opens empty; its text and signature follow as deltas
                        out.accept(InferenceEvent.ThinkingDelta.text(block.path("thinking").asText("")));
                    } else if ("redacted_thinking".equals(blockType)) {
                        out.accept(InferenceEvent.ThinkingDelta.redacted(block.path("data").asText()));
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
                        case "thinking_delta" -> out.accept(InferenceEvent.ThinkingDelta.text(delta.path("thinking").asText()));
                        case "signature_delta" -> out.accept(InferenceEvent.ThinkingDelta.signature(delta.path("signature").asText()));
                        default -> { } // citations and deltas added later
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
                    out.accept(new InferenceEvent.Finished(reason, new TokenUsage(inputTokens(), outputTokens,
                            freshInput == null ? 0 : Math.min(inputTokens(), cacheRead)),
                            reason == StopReason.STOP_SEQUENCE ? stopSequence : null));
                }
                case "error" -> throw UpstreamErrors.fromStreamError(upstream.name(), data, upstream.scrubber());
                default -> { } // ping, content_block_stop, and events added later
            }
        }

        @Override
        public void onEnd() {
            if (!finished) {
                throw UpstreamErrors.transport(upstream.name(), ErrorKind.UPSTREAM, "stream ended before message_stop");
            }
        }

        private void requireStarted() {
            if (!started) {
                throw UpstreamErrors.transport(upstream.name(), ErrorKind.UPSTREAM, "stream did not begin with message_start");
            }
        }
    }
}
