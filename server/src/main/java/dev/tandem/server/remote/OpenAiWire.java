package dev.tandem.server.remote;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.core.ToolChoice;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * OpenAI Chat Completions ({@code POST /v1/chat/completions}, SSE chunks with
 * {@code stream_options.include_usage}), also any OpenAI-compatible host (vLLM, proxies): the wire
 * format {@code openai}.
 */
final class OpenAiWire implements WireFormat {
    private final Upstream upstream;

    OpenAiWire(Upstream upstream) {
        this.upstream = upstream;
    }

    @Override
    public Dialect dialect() {
        return Dialect.OPENAI;
    }

    /** vLLM's stop_token_ids name ids of the local vocabulary; OpenAI's API has no such field. */
    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        if (!request.sampling().stopTokenIds().isEmpty()) {
            return Optional.of("stop_token_ids are served by the local model only");
        }
        return Optional.empty();
    }

    @Override
    public HttpRequest.Builder request(InferenceRequest request, String model, boolean stream) {
        HttpRequest.Builder b = upstream.post("/v1/chat/completions", UpstreamJson.withFields(
                body(request, model, upstream.config().maxTokensField(), stream), request.passthrough().fieldsFor(Dialect.OPENAI)), stream);
        upstream.apiKey().ifPresent(key -> b.header("authorization", "Bearer " + key));
        return b;
    }

    @Override
    public StreamTranslator translator(String model, int estimatedInputTokens, Consumer<InferenceEvent> out) {
        return new Stream(upstream, out, estimatedInputTokens, model);
    }

    // The request body, as typed wire records (snake_case, unset fields left out)

    /** Exactly one of {@code maxTokens} and {@code maxCompletionTokens} is set, as the host wants it. */
    record ChatBody(String model, List<ChatMessage> messages, Integer maxTokens, Integer maxCompletionTokens, boolean stream,
            StreamOptions streamOptions, Double temperature, Double topP, Long seed, Double presencePenalty,
            Double frequencyPenalty, List<String> stop, List<FunctionTool> tools, Object toolChoice, Boolean parallelToolCalls,
            Object responseFormat, Map<Integer, Double> logitBias, String user) {}

    /**
     * {@code content}: text, a list of {@link Part}s, or (an assistant turn that only calls tools) an
     * explicit null.
     */
    record ChatMessage(String role, @JsonInclude(JsonInclude.Include.ALWAYS) Object content, List<ToolCall> toolCalls,
            String toolCallId) {}

    record ToolCall(String id, String type, FunctionCall function) {}

    record FunctionCall(String name, String arguments) {}

    /** A content part; each says its own {@code type}. */
    sealed interface Part permits TextPart, ImagePart {
        String type();
    }

    record TextPart(String type, String text) implements Part {}

    record ImagePart(String type, ImageUrl imageUrl) implements Part {}

    record ImageUrl(String url) {}

    record StreamOptions(boolean includeUsage) {}

    record FunctionTool(String type, FunctionDef function) {}

    /** {@code strict} only when true. */
    record FunctionDef(String name, String description, JsonNode parameters, Boolean strict) {}

    /** {@code {"type": "json_object"}}. */
    record JsonObjectFormat(String type) {}

    /** {@code {"type": "json_schema", "json_schema": {...}}}. */
    record JsonSchemaFormat(String type, JsonSchemaDef jsonSchema) {}

    record JsonSchemaDef(String name, String description, JsonNode schema, boolean strict) {}

    /** A named tool as {@code tool_choice}. */
    record NamedChoice(String type, FunctionName function) {}

    record FunctionName(String name) {}

    /** The Chat Completions body; a stream comes with the usage chunk. */
    static ChatBody body(InferenceRequest r, String model, String maxTokensField, boolean stream) {
        Input.Chat chat = (Input.Chat) r.input();
        List<ChatMessage> messages = new ArrayList<>();
        if (chat.system() != null && !chat.system().isEmpty()) {
            messages.add(new ChatMessage("system", chat.system(), null, null));
        }
        for (Message m : chat.messages()) {
            switch (m.role()) {
                case SYSTEM -> messages.add(new ChatMessage("system", m.text(), null, null));
                case ASSISTANT -> messages.add(assistant(m));
                case USER, TOOL -> userOrTool(messages, m);
            }
        }
        boolean oldField = "max_tokens".equals(maxTokensField);
        Sampling s = r.sampling();
        boolean tools = !r.tools().isEmpty();
        return new ChatBody(model, messages, oldField ? r.maxTokens() : null, oldField ? null : r.maxTokens(), stream,
                stream ? new StreamOptions(true) : null, // refused by the API without a stream
                s.temperature(), s.topP(), s.seed(), s.presencePenalty(), s.frequencyPenalty(),
                r.stop().isEmpty() ? null : r.stop(),
                tools ? r.tools().stream().map(t -> new FunctionTool("function", new FunctionDef(t.name(), t.description(),
                        UpstreamJson.object(t.inputSchemaJson()), t.strict() ? Boolean.TRUE : null))).toList() : null,
                tools ? choice(r.toolChoice()) : null,
                tools && !r.toolChoice().parallel() ? Boolean.FALSE : null,
                responseFormat(r.responseFormat()),
                r.sampling().logitBias().isEmpty() ? null : new TreeMap<>(r.sampling().logitBias()),
                r.user());
    }

    /** The response format in OpenAI's words; none for text. */
    static Object responseFormat(ResponseFormat format) {
        if (format instanceof ResponseFormat.JsonObject) {
            return new JsonObjectFormat("json_object");
        }
        if (format instanceof ResponseFormat.JsonSchema s) {
            return new JsonSchemaFormat("json_schema", new JsonSchemaDef(s.name(), s.description(), UpstreamJson.object(s.schemaJson()), s.strict()));
        }
        return null;
    }

    /** The choice in OpenAI's words; none for the default (auto). */
    static Object choice(ToolChoice choice) {
        return switch (choice.mode()) {
            case AUTO -> null;
            case NONE -> "none";
            case REQUIRED -> "required";
            case NAMED -> new NamedChoice("function", new FunctionName(choice.name()));
        };
    }

    private static ChatMessage assistant(Message m) {
        String text = m.text();
        List<ToolCall> calls = m.content().stream()
                .filter(Content.ToolUse.class::isInstance).map(Content.ToolUse.class::cast)
                .map(u -> new ToolCall(u.id(), "function", new FunctionCall(u.name(), u.argumentsJson())))
                .toList();
        return new ChatMessage("assistant", text.isEmpty() && !calls.isEmpty() ? null : text, calls.isEmpty() ? null : calls, null);
    }

    /** Tool results become {@code tool} messages (before any user text of the same turn). */
    private static void userOrTool(List<ChatMessage> messages, Message m) {
        List<Content> rest = new ArrayList<>();
        for (Content c : m.content()) {
            if (c instanceof Content.ToolResult r) {
                messages.add(new ChatMessage("tool", r.text(), null, r.toolUseId()));
            } else {
                rest.add(c);
            }
        }
        if (rest.isEmpty()) {
            return;
        }
        if (rest.stream().allMatch(Content.Text.class::isInstance)) {
            messages.add(new ChatMessage("user", new Message(m.role(), rest).text(), null, null));
            return;
        }
        List<Part> parts = new ArrayList<>();
        for (Content c : rest) {
            if (c instanceof Content.Text t) {
                parts.add(new TextPart("text", t.text()));
            } else if (c instanceof Content.Image img) {
                String url = img.data() != null ? new UpstreamJson.DataUrl(img.mediaType(), img.data()).url() : img.url();
                parts.add(new ImagePart("image_url", new ImageUrl(url)));
            }
        }
        messages.add(new ChatMessage("user", parts, null, null));
    }

    @Override
    public void translateReply(JsonNode reply, String model, int estimatedInputTokens, Consumer<InferenceEvent> out) {
        if (reply.has("error")) {
            throw UpstreamErrors.fromStreamError(upstream.name(), reply, upstream.scrubber());
        }
        JsonNode choice = reply.path("choices").path(0);
        if (!choice.isObject()) {
            throw UpstreamErrors.transport(upstream.name(), ErrorKind.UPSTREAM, "reply without choices");
        }
        JsonNode message = choice.path("message");
        JsonNode u = reply.path("usage");
        int input = u.isObject() ? u.path("prompt_tokens").asInt() : estimatedInputTokens;
        out.accept(new InferenceEvent.Started(upstream.name(), reply.path("model").asText(model), input));
        long outputChars = 0;
        for (String field : new String[] {"content", "refusal"}) {
            String text = message.path(field).asText("");
            if (message.path(field).isTextual() && !text.isEmpty()) {
                outputChars += text.length();
                out.accept(new InferenceEvent.TextDelta(text, null));
            }
        }
        int index = 0;
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            out.accept(new InferenceEvent.ToolCallDelta(index++, call.path("id").asText(null), function.path("name").asText(null),
                    function.path("arguments").asText("")));
        }
        String matchedStop = choice.path("stop_reason").isTextual() ? choice.get("stop_reason").asText() : null; // vLLM
        StopReason reason = stopReason(choice.path("finish_reason").asText(null), matchedStop);
        TokenUsage usage = u.isObject() ? new TokenUsage(input, u.path("completion_tokens").asInt(), cachedTokens(u, input))
                : new TokenUsage(estimatedInputTokens, estimatedTokens(outputChars));
        out.accept(new InferenceEvent.Finished(reason, usage, reason == StopReason.STOP_SEQUENCE ? matchedStop : null));
    }

    /** usage.prompt_tokens_details.cached_tokens (0 when the host does not say), never more than the prompt. */
    private static int cachedTokens(JsonNode usage, int promptTokens) {
        return Math.min(promptTokens, Math.max(0, usage.path("prompt_tokens_details").path("cached_tokens").asInt(0)));
    }

    /** Output tokens of a host that does not say: about four characters a token. */
    private static int estimatedTokens(long chars) {
        return (int) ((chars + 3) / 4);
    }

    static StopReason stopReason(String finishReason, String matchedStop) {
        if (finishReason == null) {
            return StopReason.END_TURN;
        }
        return switch (finishReason) {
            case "length" -> StopReason.MAX_TOKENS;
            case "tool_calls", "function_call" -> StopReason.TOOL_USE;
            case "content_filter" -> StopReason.REFUSAL;
            default -> matchedStop != null ? StopReason.STOP_SEQUENCE : StopReason.END_TURN;
        };
    }

    /**
     * Chat completion chunks. Started is emitted at the first chunk with the estimated prompt
     * tokens (OpenAI says usage only at the end); Finished at {@code [DONE]} with the usage chunk's
     * real figures, or estimates when the host sent none.
     */
    static final class Stream implements StreamTranslator {
        private final Upstream upstream;
        private final Consumer<InferenceEvent> out;
        private final int estimatedInput;
        private final String requestedModel;
        private boolean started;
        private boolean finished;
        private String finishReason;
        private String matchedStop;
        private TokenUsage usage;
        private long outputChars;

        Stream(Upstream upstream, Consumer<InferenceEvent> out, int estimatedInput, String requestedModel) {
            this.upstream = upstream;
            this.out = out;
            this.estimatedInput = estimatedInput;
            this.requestedModel = requestedModel;
        }

        @Override
        public void onEvent(SseReader.Event event) {
            if (finished) {
                return;
            }
            if ("[DONE]".equals(event.data().trim())) {
                finish();
                return;
            }
            JsonNode chunk = UpstreamJson.parse(upstream.name(), event.data());
            if (chunk.has("error") || "error".equals(event.event())) {
                throw UpstreamErrors.fromStreamError(upstream.name(), chunk, upstream.scrubber());
            }
            if (!started) {
                start(chunk.path("model").asText(requestedModel));
            }
            JsonNode choice = chunk.path("choices").path(0);
            if (choice.isObject()) {
                JsonNode delta = choice.path("delta");
                text(delta.path("content"));
                text(delta.path("refusal"));
                for (JsonNode call : delta.path("tool_calls")) {
                    JsonNode function = call.path("function");
                    out.accept(new InferenceEvent.ToolCallDelta(call.path("index").asInt(),
                            call.path("id").asText(null), function.path("name").asText(null), function.path("arguments").asText("")));
                }
                if (choice.hasNonNull("finish_reason")) {
                    finishReason = choice.get("finish_reason").asText();
                }
                if (choice.path("stop_reason").isTextual()) {
                    matchedStop = choice.get("stop_reason").asText(); // vLLM names the stop string that matched
                }
            }
            JsonNode u = chunk.path("usage");
            if (u.isObject()) {
                int prompt = u.path("prompt_tokens").asInt();
                usage = new TokenUsage(prompt, u.path("completion_tokens").asInt(), cachedTokens(u, prompt));
            }
        }

        @Override
        public void onEnd() {
            if (!finished && finishReason != null) {
                finish(); // a host that forgot [DONE] but did say why it stopped
            }
            if (!finished) {
                throw UpstreamErrors.transport(upstream.name(), ErrorKind.UPSTREAM, "stream ended before finish_reason");
            }
        }

        private void start(String model) {
            started = true;
            out.accept(new InferenceEvent.Started(upstream.name(), model, estimatedInput));
        }

        private void text(JsonNode node) {
            if (node.isTextual() && !node.asText().isEmpty()) {
                outputChars += node.asText().length();
                out.accept(new InferenceEvent.TextDelta(node.asText(), null));
            }
        }

        private void finish() {
            if (!started) {
                start(requestedModel);
            }
            finished = true;
            TokenUsage total = usage != null ? usage : new TokenUsage(estimatedInput, estimatedTokens(outputChars));
            StopReason reason = stopReason(finishReason, matchedStop);
            out.accept(new InferenceEvent.Finished(reason, total, reason == StopReason.STOP_SEQUENCE ? matchedStop : null));
        }
    }
}
