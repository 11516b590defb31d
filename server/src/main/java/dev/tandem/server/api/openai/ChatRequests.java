package dev.tandem.server.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.FieldRules;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.Params;
import dev.tandem.server.api.ResponseFormats;
import dev.tandem.server.api.SamplingChecks;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Passthrough;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.core.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A Chat Completions request, checked and turned into one internal request per choice. */
final class ChatRequests {
    static final int MAX_N = 128;

    /**
     * The known fields {@link ChatWire.Request} does not read. Passed to an OpenAI upstream: fields with no
     * meaning to a local model (storage, caching and billing hints, reasoning effort for a model that does
     * not reason, a prediction that only speeds up). Only OpenAI honours audio output. Refused: what asks
     * for something this server does not do, saying what to send instead.
     */
    static final FieldRules FIELDS = FieldRules.builder(Dialect.OPENAI)
            .pass("store", "metadata", "service_tier", "prompt_cache_key", "prompt_cache_retention", "safety_identifier",
                    "reasoning_effort", "verbosity", "prediction", "modalities", "chat_template_kwargs")
            .essential("audio", "web_search_options")
            .refuse("deprecated by OpenAI; send 'tools' and 'tool_choice'.", "functions", "function_call")
            .refuse("vLLM's guided decoding is not supported; send 'response_format' with a JSON schema.",
                    "guided_json", "guided_regex", "guided_choice", "guided_grammar", "guided_decoding_backend", "structured_outputs")
            .refuse("beam search is not supported.", "use_beam_search", "length_penalty", "best_of")
            .refuse("the local engine scores generated tokens only.", "prompt_logprobs")
            .refuse("the chat template is the model's own; it cannot be replaced or changed per request.",
                    "chat_template", "add_generation_prompt", "continue_final_message", "echo", "documents")
            .refuse("prompts are never truncated; shorten the conversation.", "truncate_prompt_tokens")
            .refuse("send 'logit_bias' with -100 for the tokens to ban or allow.", "allowed_token_ids", "bad_words")
            .build();

    private ChatRequests() {}

    static List<InferenceRequest> toInference(ChatWire.Request r, Origin origin, int defaultMaxTokens) {
        Params.requiredText(r.model(), "model");
        Input.Chat chat = chat(Params.required(r.messages(), "messages"));
        Integer asked = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        String maxField = r.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        int maxTokens = Params.maxTokens(asked == null ? defaultMaxTokens : asked, maxField);
        int n = r.n() == null ? 1 : Params.range(r.n(), 1, MAX_N, "n");
        Sampling sampling = SamplingChecks.openAi(r.temperature(), r.topP(), r.topK(), r.minP(), r.seed(),
                r.presencePenalty(), r.frequencyPenalty(), r.repetitionPenalty(), r.ignoreEos(), r.minTokens(), maxTokens)
                .toBuilder()
                .withLogitBias(Params.logitBias(r.logitBias(), "logit_bias"))
                .withStopTokenIds(Params.tokenIds(r.stopTokenIds(), "stop_token_ids"))
                .build();
        List<String> stop = Params.stopSequences(r.stop(), "stop");
        Integer topLogprobs = topLogprobs(r.logprobs(), r.topLogprobs());
        if (r.streamOptions() != null && !Boolean.TRUE.equals(r.stream())) {
            throw ApiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
        }
        List<ToolSpec> tools = tools(r.tools());
        ToolChoice toolChoice = toolChoice(r.toolChoice(), r.parallelToolCalls());
        ResponseFormat format = ResponseFormats.chat(r.responseFormat());
        Passthrough passthrough = FIELDS.apply(r.others() == null ? Map.of() : r.others(), List.of());

        List<InferenceRequest> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(origin.request(i, n, Dialect.OPENAI, r.model(), chat)
                    .withMaxTokens(maxTokens, asked == null)
                    .withSampling(sampling.forChoice(i))
                    .withStop(stop)
                    .withTopLogprobs(topLogprobs)
                    .withStream(Boolean.TRUE.equals(r.stream()))
                    .withTools(tools, toolChoice)
                    .withResponseFormat(format)
                    .withUser(r.user())
                    .withPassthrough(passthrough)
                    .build());
        }
        return out;
    }

    /**
     * {@code "auto"}, {@code "none"}, {@code "required"} or {@code {"type":"function","function":{"name":…}}},
     * with {@code parallel_tool_calls}.
     */
    static ToolChoice toolChoice(JsonNode choice, Boolean parallel) {
        ToolChoice typed;
        if (choice == null || choice.isNull()) {
            typed = ToolChoice.AUTO;
        } else if (choice.isTextual()) {
            typed = switch (choice.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw ApiException.invalid("tool_choice",
                        "'tool_choice' must be 'auto', 'none', 'required' or a named function; got '" + choice.asText() + "'.");
            };
        } else if (choice.isObject() && "function".equals(choice.path("type").asText()) && choice.path("function").path("name").isTextual()) {
            typed = ToolChoice.named(choice.path("function").path("name").asText());
        } else {
            throw ApiException.invalid("tool_choice",
                    "'tool_choice' must be 'auto', 'none', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}.");
        }
        return parallel == null ? typed : typed.withParallel(parallel);
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

    /** Function tools: {@code {"type": "function", "function": {"name", "description"?, "parameters"?, "strict"?}}}. */
    private static List<ToolSpec> tools(List<JsonNode> tools) {
        List<ToolSpec> out = new ArrayList<>();
        if (tools == null) {
            return out;
        }
        for (int i = 0; i < tools.size(); i++) {
            String field = "tools[" + i + "]";
            JsonNode tool = tools.get(i);
            String type = tool == null ? "" : tool.path("type").asText("function");
            if (!type.equals("function")) {
                throw ApiException.invalid(field + ".type", "'" + field + ".type' must be 'function' (the only tools a client runs "
                        + "itself that this server can offer); got '" + type + "'.");
            }
            JsonNode fn = tool.path("function");
            if (!fn.path("name").isTextual() || fn.get("name").asText().isEmpty()) {
                throw ApiException.invalid(field + ".function.name", "'" + field + ".function.name' must be a non-empty string.");
            }
            JsonNode parameters = fn.path("parameters");
            if (!parameters.isMissingNode() && !parameters.isNull() && !parameters.isObject()) {
                throw ApiException.invalid(field + ".function.parameters", "'" + field + ".function.parameters' must be a JSON schema object.");
            }
            out.add(new ToolSpec(fn.get("name").asText(), fn.path("description").isTextual() ? fn.get("description").asText() : null,
                    parameters.isObject() ? Json.write(parameters) : "{}", fn.path("strict").asBoolean(false)));
        }
        return out;
    }
}
