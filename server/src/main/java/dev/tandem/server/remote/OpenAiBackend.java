package dev.tandem.server.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.core.ToolSpec;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * OpenAI Chat Completions ({@code POST /v1/chat/completions}, SSE chunks with
 * {@code stream_options.include_usage}); also any OpenAI-compatible host (vLLM, proxies).
 */
public final class OpenAiBackend extends RemoteBackend {

    public OpenAiBackend(RemoteConfig config, ToIntFunction<InferenceRequest> promptCounter) {
        this("openai", config, promptCounter);
    }

    public OpenAiBackend(String name, RemoteConfig config, ToIntFunction<InferenceRequest> promptCounter) {
        super(name, config, promptCounter);
    }

    public OpenAiBackend(RemoteConfig config) {
        this(config, null);
    }

    @Override
    protected HttpRequest.Builder prepare(InferenceRequest request, String model, boolean stream) {
        HttpRequest.Builder b = post("/v1/chat/completions", body(request, model, config.maxTokensField(), stream), stream);
        apiKey().ifPresent(key -> b.header("authorization", "Bearer " + key));
        return b;
    }

    @Override
    StreamTranslator translator(InferenceRequest request, int estimatedInputTokens, Consumer<InferenceEvent> out) {
        return new Stream(out, scrubber, estimatedInputTokens, upstreamModel(request.model()));
    }

    /** The Chat Completions body; a stream comes with the usage chunk. */
    static ObjectNode body(InferenceRequest r, String model, String maxTokensField, boolean stream) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        Input.Chat chat = (Input.Chat) r.input();
        if (chat.system() != null && !chat.system().isEmpty()) {
            messages.addObject().put("role", "system").put("content", chat.system());
        }
        for (Message m : chat.messages()) {
            switch (m.role()) {
                case SYSTEM -> messages.addObject().put("role", "system").put("content", m.text());
                case ASSISTANT -> assistant(messages, m);
                case USER, TOOL -> userOrTool(messages, m);
            }
        }
        root.put(maxTokensField == null ? "max_completion_tokens" : maxTokensField, r.maxTokens());
        root.put("stream", stream);
        if (stream) {
            root.putObject("stream_options").put("include_usage", true); // refused by the API without a stream
        }
        Sampling s = r.sampling();
        if (s.temperature() != null) {
            root.put("temperature", s.temperature());
        }
        if (s.topP() != null) {
            root.put("top_p", s.topP());
        }
        if (s.seed() != null) {
            root.put("seed", s.seed());
        }
        if (s.presencePenalty() != null) {
            root.put("presence_penalty", s.presencePenalty());
        }
        if (s.frequencyPenalty() != null) {
            root.put("frequency_penalty", s.frequencyPenalty());
        }
        if (!r.stop().isEmpty()) {
            ArrayNode stops = root.putArray("stop");
            r.stop().forEach(stops::add);
        }
        if (!r.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (ToolSpec t : r.tools()) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", t.name());
                if (t.description() != null) {
                    function.put("description", t.description());
                }
                function.set("parameters", Json.object(t.inputSchemaJson()));
            }
        }
        ToolChoice choice = ToolChoice.parse(r.toolChoice());
        if (choice != null) {
            if (choice.tool() != null) {
                root.putObject("tool_choice").put("type", "function").putObject("function").put("name", choice.tool());
            } else {
                root.put("tool_choice", choice.mode());
            }
        }
        if (r.user() != null) {
            root.put("user", r.user());
        }
        return root;
    }

    private static void assistant(ArrayNode messages, Message m) {
        ObjectNode msg = messages.addObject().put("role", "assistant");
        String text = m.text();
        List<Content.ToolUse> calls = m.content().stream()
                .filter(Content.ToolUse.class::isInstance).map(Content.ToolUse.class::cast).toList();
        if (text.isEmpty() && !calls.isEmpty()) {
            msg.putNull("content");
        } else {
            msg.put("content", text);
        }
        if (!calls.isEmpty()) {
            ArrayNode toolCalls = msg.putArray("tool_calls");
            for (Content.ToolUse u : calls) {
                ObjectNode call = toolCalls.addObject().put("id", u.id()).put("type", "function");
                call.putObject("function").put("name", u.name()).put("arguments", u.argumentsJson());
            }
        }
    }

    /** Tool results become {@code tool} messages (before any user text of the same turn). */
    private static void userOrTool(ArrayNode messages, Message m) {
        List<Content> rest = new ArrayList<>();
        for (Content c : m.content()) {
            if (c instanceof Content.ToolResult r) {
                String text = r.content().stream()
                        .map(b -> b instanceof Content.Text t ? t.text() : "[image omitted]")
                        .collect(Collectors.joining());
                messages.addObject().put("role", "tool").put("tool_call_id", r.toolUseId())
                        .put("content", r.isError() ? "Error: " + text : text);
            } else {
                rest.add(c);
            }
        }
        if (rest.isEmpty()) {
            return;
        }
        ObjectNode msg = messages.addObject().put("role", "user");
        if (rest.stream().allMatch(Content.Text.class::isInstance)) {
            msg.put("content", new Message(m.role(), rest).text());
            return;
        }
        ArrayNode parts = msg.putArray("content");
        for (Content c : rest) {
            if (c instanceof Content.Text t) {
                parts.addObject().put("type", "text").put("text", t.text());
            } else if (c instanceof Content.Image img) {
                String url = img.data() != null ? new Json.DataUrl(img.mediaType(), img.data()).url() : img.url();
                parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
            }
        }
    }

    @Override
    void translateReply(JsonNode reply, InferenceRequest request, int estimatedInputTokens, Consumer<InferenceEvent> out) {
        if (reply.has("error")) {
            throw UpstreamErrors.fromStreamError("openai", reply, scrubber);
        }
        JsonNode choice = reply.path("choices").path(0);
        if (!choice.isObject()) {
            throw UpstreamErrors.transport("openai", ErrorKind.UPSTREAM, "reply without choices");
        }
        JsonNode message = choice.path("message");
        JsonNode u = reply.path("usage");
        int input = u.isObject() ? u.path("prompt_tokens").asInt() : estimatedInputTokens;
        out.accept(new InferenceEvent.Started("openai", reply.path("model").asText(upstreamModel(request.model())), input));
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
        TokenUsage usage = u.isObject() ? new TokenUsage(input, u.path("completion_tokens").asInt())
                : new TokenUsage(estimatedInputTokens, estimatedTokens(outputChars));
        out.accept(new InferenceEvent.Finished(reason, usage, reason == StopReason.STOP_SEQUENCE ? matchedStop : null));
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
        private final Consumer<InferenceEvent> out;
        private final KeyScrubber scrubber;
        private final int estimatedInput;
        private final String requestedModel;
        private boolean started;
        private boolean finished;
        private String finishReason;
        private String matchedStop;
        private TokenUsage usage;
        private long outputChars;

        Stream(Consumer<InferenceEvent> out, KeyScrubber scrubber, int estimatedInput, String requestedModel) {
            this.out = out;
            this.scrubber = scrubber;
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
            JsonNode chunk = Json.parse("openai", event.data());
            if (chunk.has("error") || "error".equals(event.event())) {
                throw UpstreamErrors.fromStreamError("openai", chunk, scrubber);
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
                usage = new TokenUsage(u.path("prompt_tokens").asInt(), u.path("completion_tokens").asInt());
            }
        }

        @Override
        public void onEnd() {
            if (!finished && finishReason != null) {
                finish(); // a host that forgot [DONE] but did say why it stopped
            }
            if (!finished) {
                throw UpstreamErrors.transport("openai", ErrorKind.UPSTREAM, "stream ended before finish_reason");
            }
        }

        private void start(String model) {
            started = true;
            out.accept(new InferenceEvent.Started("openai", model, estimatedInput));
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
