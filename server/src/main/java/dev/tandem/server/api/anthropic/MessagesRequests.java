package dev.tandem.server.api.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.api.FieldRules;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.Params;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.CacheBreakpoint;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.core.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Messages request, checked and turned into the internal request. */
final class MessagesRequests {
    /**
     * The known fields {@link MessagesWire.Request} does not read. Passed to an Anthropic upstream, with
     * the {@code anthropic-beta} flags, and ignored by the local model (they have no meaning there):
     * extended thinking, context management, output_config beyond its format (effort, task budget), the
     * top-level cache_control, the service tier and inference region. Only Anthropic runs MCP servers
     * and code-execution containers.
     */
    static final FieldRules FIELDS = FieldRules.builder(Dialect.ANTHROPIC)
            .pass("thinking", "context_management", "output_config", "cache_control", "service_tier", "inference_geo")
            .essential("mcp_servers", "container")
            .build();

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
        ToolChoice toolChoice = toolChoice(r.toolChoice());
        Map<String, JsonNode> others = new LinkedHashMap<>(r.others() == null ? Map.of() : r.others());
        ResponseFormat format = outputFormat(r.outputConfig(), r.outputFormat(), others);
        return origin.request(Dialect.ANTHROPIC, r.model(), chat)
                .withMaxTokens(maxTokens)
                .withSampling(sampling)
                .withStop(stop)
                .withStream(Boolean.TRUE.equals(r.stream()))
                .withTools(tools(r.tools()), toolChoice)
                .withResponseFormat(format)
                .withUser(user)
                .withPassthrough(FIELDS.apply(others, origin.betas()))
                .build();
    }

    /**
     * Structured output: {@code output_config.format} (or the older beta {@code output_format}),
     * {@code {"type": "json_schema", "schema": {...}}}, always enforced in full, as Claude enforces it.
     * What else {@code output_config} holds (effort, a task budget) goes to {@code others}, to pass
     * through.
     */
    static ResponseFormat outputFormat(JsonNode outputConfig, JsonNode outputFormat, Map<String, JsonNode> others) {
        JsonNode format = outputFormat;
        String field = "output_format";
        if (outputConfig != null && !outputConfig.isNull()) {
            if (!outputConfig.isObject()) {
                throw ApiException.invalid("output_config", "'output_config' must be an object.");
            }
            ObjectNode rest = ((ObjectNode) outputConfig).deepCopy();
            JsonNode inner = rest.remove("format");
            if (inner != null && !inner.isNull()) {
                format = inner;
                field = "output_config.format";
            }
            if (!rest.isEmpty()) {
                others.put("output_config", rest);
            }
        }
        if (format == null || format.isNull()) {
            return ResponseFormat.TEXT;
        }
        if (!"json_schema".equals(format.path("type").asText())) {
            throw ApiException.invalid(field + ".type", "'" + field + ".type' must be 'json_schema'.");
        }
        if (!format.path("schema").isObject()) {
            throw ApiException.invalid(field + ".schema", "'" + field + ".schema' must be a JSON schema object.");
        }
        return new ResponseFormat.JsonSchema(ResponseFormat.JsonSchema.DEFAULT_NAME, null, Json.write(format.get("schema")), true);
    }

    /** {@code {"type": "auto" | "any" | "tool" | "none", "name"?, "disable_parallel_tool_use"?}}. */
    static ToolChoice toolChoice(JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return ToolChoice.AUTO;
        }
        String must = "'tool_choice' must be an object with 'type' auto, any, tool (with 'name') or none.";
        if (!choice.isObject()) {
            throw ApiException.invalid("tool_choice", must);
        }
        JsonNode serial = choice.path("disable_parallel_tool_use");
        if (!serial.isMissingNode() && !serial.isNull() && !serial.isBoolean()) {
            throw ApiException.invalid("tool_choice.disable_parallel_tool_use", "'tool_choice.disable_parallel_tool_use' must be a boolean.");
        }
        ToolChoice typed = switch (choice.path("type").asText("")) {
            case "auto" -> ToolChoice.AUTO;
            case "any" -> ToolChoice.REQUIRED;
            case "none" -> ToolChoice.NONE;
            case "tool" -> {
                if (!choice.path("name").isTextual()) {
                    throw ApiException.invalid("tool_choice.name", "'tool_choice.name' is required when 'type' is 'tool'.");
                }
                yield ToolChoice.named(choice.get("name").asText());
            }
            default -> throw ApiException.invalid("tool_choice.type", must);
        };
        return typed.withParallel(!serial.asBoolean(false));
    }

    static Input.Chat chat(JsonNode system, List<MessagesWire.MessageIn> messages) {
        Params.required(messages, "messages");
        if (messages.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must hold at least one message.");
        }
        List<Message> turns = new ArrayList<>();
        List<String> systemTexts = new ArrayList<>();
        CacheBreakpoint systemCache = cacheOfLast(system);
        String top = systemText(system, "system");
        if (top != null) {
            systemTexts.add(top);
        }
        for (int i = 0; i < messages.size(); i++) {
            MessagesWire.MessageIn m = messages.get(i);
            String field = "messages." + i;
            if (m == null) {
                throw ApiException.invalid(field, "'" + field + "' must be a message object.");
            }
            String role = Params.required(m.role(), field + ".role");
            switch (role) {
                case "user" -> turns.add(new Message(Role.USER, blocks(m.content(), field + ".content")));
                case "assistant" -> turns.add(new Message(Role.ASSISTANT, blocks(m.content(), field + ".content")));
                case "system" -> { // a mid-conversation system message (Claude Code sends them): folded into the system text
                    String text = systemText(m.content(), field + ".content");
                    if (text != null && !text.isEmpty()) {
                        systemTexts.add(text);
                    }
                    CacheBreakpoint turnCache = cacheOfLast(m.content());
                    systemCache = turnCache != null ? turnCache : systemCache;
                }
                default -> throw ApiException.invalid(field + ".role",
                        "'" + field + ".role' must be 'user', 'assistant' or 'system'; got '" + role + "'.");
            }
        }
        if (turns.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must hold at least one user or assistant message.");
        }
        return new Input.Chat(systemTexts.isEmpty() ? null : String.join("\n\n", systemTexts), turns, systemCache);
    }

    /**
     * The caching breakpoint of the last system block that has one (the system text is sent on as one
     * block: a breakpoint in it marks its end), or null.
     */
    private static CacheBreakpoint cacheOfLast(JsonNode blocks) {
        CacheBreakpoint last = null;
        if (blocks != null && blocks.isArray()) {
            for (JsonNode b : blocks) {
                CacheBreakpoint cache = cache(b);
                last = cache != null ? cache : last;
            }
        }
        return last;
    }

    /** A block's (or a tool's) {@code cache_control}, kept for an Anthropic upstream; null when absent. */
    private static CacheBreakpoint cache(JsonNode node) {
        JsonNode c = node == null ? null : node.get("cache_control");
        return c != null && c.isObject() ? new CacheBreakpoint(Json.write(c)) : null;
    }

    /** System text ({@code field}): a string or an array of text blocks, joined; null when absent. */
    private static String systemText(JsonNode system, String field) {
        if (system == null || system.isNull()) {
            return null;
        }
        if (system.isTextual()) {
            return system.asText();
        }
        if (!system.isArray()) {
            throw ApiException.invalid(field, "'" + field + "' must be a string or an array of text blocks.");
        }
        List<String> parts = new ArrayList<>();
        for (Content c : blocks(system, field)) {
            if (!(c instanceof Content.Text t)) {
                throw ApiException.invalid(field, "'" + field + "' may hold text blocks only.");
            }
            parts.add(t.text());
        }
        return String.join("\n", parts);
    }

    /**
     * String content, or an array of blocks: text, image, tool_use, tool_result, and the thinking blocks
     * of Claude's earlier answers, which go back to Claude unchanged (and nowhere else).
     */
    private static List<Content> blocks(JsonNode content, String field) {
        return Params.content(content, field, i -> field + "." + i, "content blocks", MessagesRequests::block);
    }

    /** The block as content, with its caching breakpoint; null for one that has no meaning past the edge. */
    private static Content block(JsonNode block, String blockField) {
        Content content = content(block, blockField);
        CacheBreakpoint cache = cache(block);
        return content == null || cache == null ? content : content.withCache(cache);
    }

    private static Content content(JsonNode block, String blockField) {
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
            case "thinking" -> {
                if (!block.path("thinking").isTextual()) {
                    throw ApiException.invalid(blockField + ".thinking", "'" + blockField + ".thinking' must be a string.");
                }
                yield new Content.Thinking(block.get("thinking").asText(), block.path("signature").asText(null), null);
            }
            case "redacted_thinking" -> {
                if (!block.path("data").isTextual()) {
                    throw ApiException.invalid(blockField + ".data", "'" + blockField + ".data' must be a string.");
                }
                yield new Content.Thinking(null, null, block.get("data").asText());
            }
            default -> throw ApiException.invalid(blockField + ".type", "'" + blockField
                    + ".type' must be one of text, image, tool_use, tool_result, thinking, redacted_thinking; got '" + type + "'.");
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
            String field = "tools." + i;
            JsonNode tool = tools.get(i);
            String type = tool == null ? "custom" : tool.path("type").asText("custom");
            if (!type.equals("custom")) {
                throw ApiException.invalid(field + ".type", "'" + field + ".type' is '" + type + "': Anthropic's server tools run on "
                        + "Anthropic's servers only; send the tool as a custom tool with an 'input_schema' that the client runs.");
            }
            if (!tool.path("name").isTextual() || tool.get("name").asText().isEmpty()) {
                throw ApiException.invalid(field + ".name", "'" + field + ".name' must be a non-empty string.");
            }
            JsonNode schema = tool.path("input_schema");
            if (!schema.isObject()) {
                throw ApiException.invalid(field + ".input_schema", "'" + field + ".input_schema' must be a JSON schema object.");
            }
            out.add(new ToolSpec(tool.get("name").asText(), tool.path("description").isTextual() ? tool.get("description").asText() : null,
                    Json.write(schema), tool.path("strict").asBoolean(false), cache(tool)));
        }
        return out;
    }
}
