package dev.tandem.server.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.Params;
import dev.tandem.server.api.SamplingChecks;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.ToolSpec;
import java.util.ArrayList;
import java.util.List;

/** A Chat Completions request, checked and turned into one internal request per choice. */
final class ChatRequests {
    static final int MAX_N = 128;

    private ChatRequests() {}

    static List<InferenceRequest> toInference(ChatWire.Request r, Origin origin, int defaultMaxTokens) {
        Params.requiredText(r.model(), "model");
        Input.Chat chat = chat(Params.required(r.messages(), "messages"));
        Integer asked = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        String maxField = r.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        int maxTokens = Params.maxTokens(asked == null ? defaultMaxTokens : asked, maxField);
        int n = r.n() == null ? 1 : Params.range(r.n(), 1, MAX_N, "n");
        Sampling sampling = SamplingChecks.openAi(r.temperature(), r.topP(), r.topK(), r.minP(), r.seed(),
                r.presencePenalty(), r.frequencyPenalty(), r.repetitionPenalty(), r.ignoreEos(), r.minTokens(), maxTokens);
        List<String> stop = Params.stopSequences(r.stop(), "stop");
        Integer topLogprobs = topLogprobs(r.logprobs(), r.topLogprobs());
        if (r.streamOptions() != null && !Boolean.TRUE.equals(r.stream())) {
            throw ApiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
        }
        List<ToolSpec> tools = tools(r.tools());
        String toolChoice = r.toolChoice() == null || r.toolChoice().isNull() ? null
                : r.toolChoice().isTextual() ? r.toolChoice().asText() : Json.write(r.toolChoice());

        List<InferenceRequest> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(origin.request(i, n, Dialect.OPENAI, r.model(), chat)
                    .withMaxTokens(maxTokens, asked == null)
                    .withSampling(sampling)
                    .withStop(stop)
                    .withTopLogprobs(topLogprobs)
                    .withStream(Boolean.TRUE.equals(r.stream()))
                    .withTools(tools, toolChoice)
                    .withUser(r.user())
                    .build());
        }
        return out;
    }

    private static Integer topLogprobs(Boolean logprobs, Integer top) {
        Params.range(top, 0, 20, "top_logprobs");
        if (!Boolean.TRUE.equals(logprobs)) {
            if (top != null) {
                throw ApiException.invalid("top_logprobs", "'top_logprobs' requires 'logprobs': true.");
            }
            return null;
        }
        return top == null ? 0 : top;
    }

    static Input.Chat chat(List<ChatWire.MessageIn> messages) {
        if (messages.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must hold at least one message.");
        }
        StringBuilder system = null;
        List<Message> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatWire.MessageIn m = messages.get(i);
            String field = "messages[" + i + "]";
            if (m == null) {
                throw ApiException.invalid(field, "'" + field + "' must be a message object.");
            }
            String role = Params.required(m.role(), field + ".role");
            switch (role) {
                case "system", "developer" -> {
                    String text = text(m.content(), field + ".content", false);
                    system = system == null ? new StringBuilder(text) : system.append("\n\n").append(text);
                }
                case "user" -> turns.add(new Message(Role.USER, parts(m.content(), field + ".content")));
                case "assistant" -> turns.add(assistant(m, field));
                case "tool" -> turns.add(new Message(Role.TOOL, List.of(new Content.ToolResult(
                        Params.required(m.toolCallId(), field + ".tool_call_id"),
                        List.of(new Content.Text(text(m.content(), field + ".content", false))), false))));
                default -> throw ApiException.invalid(field + ".role",
                        "'" + field + ".role' must be one of system, developer, user, assistant, tool; got '" + role + "'.");
            }
        }
        if (turns.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must hold at least one user or assistant message.");
        }
        return new Input.Chat(system == null ? null : system.toString(), turns);
    }

    private static Message assistant(ChatWire.MessageIn m, String field) {
        List<Content> content = new ArrayList<>();
        if (m.content() != null && !m.content().isNull()) {
            content.addAll(parts(m.content(), field + ".content"));
        }
        if (m.toolCalls() != null) {
            for (ChatWire.ToolCallIn call : m.toolCalls()) {
                if (call == null || call.function() == null || call.id() == null || call.function().name() == null) {
                    throw ApiException.invalid(field + ".tool_calls", "each tool call needs an id and a function name.");
                }
                String args = call.function().arguments() == null ? "{}" : call.function().arguments();
                content.add(new Content.ToolUse(call.id(), call.function().name(), args));
            }
        }
        if (content.isEmpty()) {
            throw ApiException.invalid(field + ".content", "'" + field + ".content' is required for an assistant message without tool calls.");
        }
        return new Message(Role.ASSISTANT, content);
    }

    /** String content, or an array of parts: text, image_url. */
    private static List<Content> parts(JsonNode content, String field) {
        return Params.content(content, field, i -> field + "[" + i + "]", "content parts", ChatRequests::part);
    }

    private static Content part(JsonNode part, String partField) {
        String type = part.path("type").asText("");
        return switch (type) {
            case "text" -> Params.textItem(part, partField);
            case "image_url" -> {
                JsonNode url = part.path("image_url").path("url");
                if (!url.isTextual()) {
                    throw ApiException.invalid(partField + ".image_url.url", "'" + partField + ".image_url.url' must be a string.");
                }
                yield new Content.Image(null, null, url.asText());
            }
            default -> throw ApiException.invalid(partField + ".type",
                    "'" + partField + ".type' must be 'text' or 'image_url'; got '" + type + "'.");
        };
    }

    /** Text-only content (system, tool): a string or text parts. */
    private static String text(JsonNode content, String field, boolean allowEmpty) {
        StringBuilder sb = new StringBuilder();
        for (Content c : parts(content, field)) {
            if (!(c instanceof Content.Text t)) {
                throw ApiException.invalid(field, "'" + field + "' may hold text only.");
            }
            sb.append(t.text());
        }
        return sb.toString();
    }

    private static List<ToolSpec> tools(List<JsonNode> tools) {
        List<ToolSpec> out = new ArrayList<>();
        if (tools == null) {
            return out;
        }
        for (int i = 0; i < tools.size(); i++) {
            JsonNode fn = tools.get(i) == null ? null : tools.get(i).path("function");
            if (fn == null || !fn.path("name").isTextual()) {
                throw ApiException.invalid("tools[" + i + "].function.name", "'tools[" + i + "].function.name' must be a string.");
            }
            JsonNode parameters = fn.path("parameters");
            out.add(new ToolSpec(fn.get("name").asText(), fn.path("description").asText(null),
                    parameters.isMissingNode() ? "{}" : Json.write(parameters)));
        }
        return out;
    }
}
