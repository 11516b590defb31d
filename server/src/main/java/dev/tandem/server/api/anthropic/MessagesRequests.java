package dev.tandem.server.api.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.Params;
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

/** A Messages request, checked and turned into the internal request. */
final class MessagesRequests {
    private MessagesRequests() {}

    static InferenceRequest toInference(MessagesWire.Request r, Origin origin) {
        Params.requiredText(r.model(), "model");
        Input.Chat chat = chat(r.system(), r.messages());
        int maxTokens = Params.maxTokens(r.maxTokens(), "max_tokens");
        Params.range(r.temperature(), 0, 1, "temperature"); // Anthropic's range; the rest is Sampling's to check
        Sampling sampling = Sampling.builder().withTemperature(r.temperature()).withTopP(r.topP()).withTopK(r.topK()).build();
        List<String> stop = Params.stopSequences(r.stopSequences(), "stop_sequences");
        if (r.stopSequences() != null && r.stopSequences().isTextual()) {
            throw ApiException.invalid("stop_sequences", "'stop_sequences' must be an array of strings.");
        }
        String user = r.metadata() == null ? null : r.metadata().userId();
        String toolChoice = r.toolChoice() == null || r.toolChoice().isNull() ? null : Json.write(r.toolChoice());
        return origin.request(Dialect.ANTHROPIC, r.model(), chat)
                .withMaxTokens(maxTokens)
                .withSampling(sampling)
                .withStop(stop)
                .withStream(Boolean.TRUE.equals(r.stream()))
                .withTools(tools(r.tools()), toolChoice)
                .withUser(user)
                .build();
    }

    static Input.Chat chat(JsonNode system, List<MessagesWire.MessageIn> messages) {
        Params.required(messages, "messages");
        if (messages.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must hold at least one message.");
        }
        List<Message> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            MessagesWire.MessageIn m = messages.get(i);
            String field = "messages." + i;
            if (m == null) {
                throw ApiException.invalid(field, "'" + field + "' must be a message object.");
            }
            String role = Params.required(m.role(), field + ".role");
            Role r = switch (role) {
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                default -> throw ApiException.invalid(field + ".role",
                        "'" + field + ".role' must be 'user' or 'assistant'; got '" + role + "' (use the top-level 'system' field for system text).");
            };
            turns.add(new Message(r, blocks(m.content(), field + ".content")));
        }
        return new Input.Chat(systemText(system), turns);
    }

    /** {@code system}: a string or an array of text blocks, joined. */
    private static String systemText(JsonNode system) {
        if (system == null || system.isNull()) {
            return null;
        }
        if (system.isTextual()) {
            return system.asText();
        }
        if (!system.isArray()) {
            throw ApiException.invalid("system", "'system' must be a string or an array of text blocks.");
        }
        List<String> parts = new ArrayList<>();
        for (Content c : blocks(system, "system")) {
            if (!(c instanceof Content.Text t)) {
                throw ApiException.invalid("system", "'system' may hold text blocks only.");
            }
            parts.add(t.text());
        }
        return String.join("\n", parts);
    }

    /** String content, or an array of blocks: text, image, tool_use, tool_result. */
    private static List<Content> blocks(JsonNode content, String field) {
        return Params.content(content, field, i -> field + "." + i, "content blocks", MessagesRequests::block);
    }

    private static Content block(JsonNode block, String blockField) {
        String type = block.path("type").asText("");
        return switch (type) {
            case "text" -> Params.textItem(block, blockField);
            case "image" -> image(block.path("source"), blockField + ".source");
            case "tool_use" -> {
                if (!block.path("id").isTextual() || !block.path("name").isTextual()) {
                    throw ApiException.invalid(blockField, "'" + blockField + "' needs 'id' and 'name' strings.");
                }
                JsonNode input = block.path("input");
                yield new Content.ToolUse(block.get("id").asText(), block.get("name").asText(),
                        input.isMissingNode() ? "{}" : Json.write(input));
            }
            case "tool_result" -> {
                if (!block.path("tool_use_id").isTextual()) {
                    throw ApiException.invalid(blockField + ".tool_use_id", "'" + blockField + ".tool_use_id' must be a string.");
                }
                JsonNode inner = block.path("content");
                List<Content> result = inner.isMissingNode() || inner.isNull() ? List.of() : blocks(inner, blockField + ".content");
                yield new Content.ToolResult(block.get("tool_use_id").asText(), result, block.path("is_error").asBoolean(false));
            }
            default -> throw ApiException.invalid(blockField + ".type",
                    "'" + blockField + ".type' must be one of text, image, tool_use, tool_result; got '" + type + "'.");
        };
    }

    /**
     * An image's {@code source}, as Anthropic takes it: {@code base64} with {@code media_type} and
     * {@code data}, or {@code url}. Checked here, where /v1/messages and count_tokens both read it.
     */
    private static Content.Image image(JsonNode source, String field) {
        if (!source.isObject()) {
            throw ApiException.invalid(field, "'" + field + "' must be an object: {\"type\":\"base64\",\"media_type\":...,\"data\":...}"
                    + " or {\"type\":\"url\",\"url\":...}.");
        }
        String type = source.path("type").asText("");
        return switch (type) {
            case "base64" -> new Content.Image(text(source, "media_type", field), text(source, "data", field), null);
            case "url" -> new Content.Image(null, null, text(source, "url", field));
            default -> throw ApiException.invalid(field + ".type", "'" + field + ".type' must be 'base64' or 'url'; got '" + type + "'.");
        };
    }

    private static String text(JsonNode object, String name, String field) {
        if (!object.path(name).isTextual()) {
            throw ApiException.invalid(field + "." + name, "'" + field + "." + name + "' must be a string.");
        }
        return object.get(name).asText();
    }

    static List<ToolSpec> tools(List<JsonNode> tools) {
        List<ToolSpec> out = new ArrayList<>();
        if (tools == null) {
            return out;
        }
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            if (tool == null || !tool.path("name").isTextual()) {
                throw ApiException.invalid("tools." + i + ".name", "'tools." + i + ".name' must be a string.");
            }
            JsonNode schema = tool.path("input_schema");
            out.add(new ToolSpec(tool.get("name").asText(), tool.path("description").asText(null),
                    schema.isMissingNode() ? "{}" : Json.write(schema)));
        }
        return out;
    }
}
