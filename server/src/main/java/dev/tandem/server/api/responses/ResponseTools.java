package dev.tandem.server.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.Json;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.core.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request's {@code tools} and {@code tool_choice} as the internal tools and choice. Function tools
 * are the model's tools as they are. A freeform ({@code custom}) tool, such as Codex's {@code apply_patch},
 * becomes a tool with one string argument, {@value #CUSTOM_INPUT}, its grammar told to the model in the
 * description (not enforced); its calls go back to the client as {@code custom_tool_call} items.
 * Hosted tools (web search, file search, code interpreter, shells, ...) are refused by name: Tandem
 * runs none. {@code allowed_tools} narrows the tools to the ones it names. A function tool's
 * {@code strict} is honoured when true (its schema enforced in full, or the request refused); left out
 * or null it is false, as the SDKs and the Chat Completions API take it.
 *
 * @param specs the internal tools, in the request's order
 * @param choice the internal tool choice, {@code parallel_tool_calls} included
 * @param custom the names of the freeform tools
 */
record ResponseTools(List<ToolSpec> specs, ToolChoice choice, Set<String> custom) {
    /** The one argument of a freeform tool's call. */
    static final String CUSTOM_INPUT = "input";

    private static final String CUSTOM_SCHEMA = "{\"type\":\"object\",\"properties\":{\"input\":{\"type\":\"string\","
            + "\"description\":\"The tool's whole input as plain text\"}},\"required\":[\"input\"],\"additionalProperties\":false}";

    /** @param parallel {@code parallel_tool_calls}: null or true allow several calls in one answer */
    static ResponseTools of(List<JsonNode> tools, JsonNode toolChoice, Boolean parallel) {
        Map<String, ToolSpec> specs = new LinkedHashMap<>();
        List<String> custom = new ArrayList<>();
        List<JsonNode> given = tools == null ? List.of() : tools;
        for (int i = 0; i < given.size(); i++) {
            String field = "tools[" + i + "]";
            JsonNode tool = given.get(i);
            String type = tool == null ? "" : tool.path("type").asText("");
            if (!type.equals("function") && !type.equals("custom")) {
                throw ApiException.invalid(field + ".type", "'" + field + ".type' must be 'function' or 'custom'; got '" + type
                        + "': Tandem runs no hosted tools.");
            }
            if (!tool.path("name").isTextual() || tool.get("name").asText().isEmpty()) {
                throw ApiException.invalid(field + ".name", "'" + field + ".name' must be a non-empty string.");
            }
            String name = tool.get("name").asText();
            if (specs.containsKey(name)) {
                throw ApiException.invalid(field + ".name", "Tool names must be unique; '" + name + "' is given twice.");
            }
            String description = tool.path("description").isTextual() ? tool.get("description").asText() : null;
            if (type.equals("function")) {
                JsonNode parameters = tool.path("parameters");
                if (!parameters.isMissingNode() && !parameters.isNull() && !parameters.isObject()) {
                    throw ApiException.invalid(field + ".parameters", "'" + field + ".parameters' must be a JSON Schema object.");
                }
                JsonNode strict = tool.path("strict");
                if (!strict.isMissingNode() && !strict.isNull() && !strict.isBoolean()) {
                    throw ApiException.invalid(field + ".strict", "'" + field + ".strict' must be a boolean.");
                }
                specs.put(name, new ToolSpec(name, description,
                        parameters.isObject() ? Json.write(parameters) : "{\"type\":\"object\",\"properties\":{}}", strict.asBoolean(false)));
            } else {
                specs.put(name, new ToolSpec(name, customDescription(description, tool.path("format")), CUSTOM_SCHEMA));
                custom.add(name);
            }
        }
        ResponseTools chosen = choose(new ArrayList<>(specs.values()), Set.copyOf(custom), toolChoice);
        return Boolean.FALSE.equals(parallel)
                ? new ResponseTools(chosen.specs(), chosen.choice().withParallel(false), chosen.custom()) : chosen;
    }

    /** The description, and the grammar the input must follow when the tool has one. */
    private static String customDescription(String description, JsonNode format) {
        StringBuilder sb = new StringBuilder(description == null ? "" : description);
        sb.append(sb.length() == 0 ? "" : "\n\n").append("Put the whole input, as plain text, in the '").append(CUSTOM_INPUT)
                .append("' argument.");
        if ("grammar".equals(format.path("type").asText())) {
            sb.append(" It must follow this ").append(format.path("syntax").asText("")).append(" grammar:\n")
                    .append(format.path("definition").asText(""));
        }
        return sb.toString();
    }

    private static ResponseTools choose(List<ToolSpec> specs, Set<String> custom, JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return new ResponseTools(specs, ToolChoice.AUTO, custom);
        }
        if (choice.isTextual()) {
            ToolChoice mode = switch (choice.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw ApiException.invalid("tool_choice", "'tool_choice' must be 'auto', 'none', 'required' or an object; got '"
                        + choice.asText() + "'.");
            };
            return new ResponseTools(specs, mode, custom);
        }
        String type = choice.path("type").asText("");
        switch (type) {
            case "function", "custom" -> {
                return new ResponseTools(specs, ToolChoice.named(named(choice, specs, "tool_choice.name")), custom);
            }
            case "allowed_tools" -> {
                String mode = choice.path("mode").asText("auto");
                if (!mode.equals("auto") && !mode.equals("required")) {
                    throw ApiException.invalid("tool_choice.mode", "'tool_choice.mode' must be 'auto' or 'required'; got '" + mode + "'.");
                }
                JsonNode allowed = choice.path("tools");
                if (!allowed.isArray() || allowed.isEmpty()) {
                    throw ApiException.invalid("tool_choice.tools", "'tool_choice.tools' must list at least one tool.");
                }
                List<String> names = new ArrayList<>();
                for (int i = 0; i < allowed.size(); i++) {
                    names.add(named(allowed.get(i), specs, "tool_choice.tools[" + i + "].name"));
                }
                List<ToolSpec> narrowed = specs.stream().filter(s -> names.contains(s.name())).toList();
                return new ResponseTools(narrowed, mode.equals("auto") ? ToolChoice.AUTO : ToolChoice.REQUIRED, custom);
            }
            default -> throw ApiException.invalid("tool_choice.type", "'tool_choice.type' must be 'function', 'custom' or"
                    + " 'allowed_tools'; got '" + type + "': Tandem runs no hosted tools.");
        }
    }

    private static String named(JsonNode node, List<ToolSpec> specs, String field) {
        String name = node.path("name").asText(null);
        if (name == null || specs.stream().noneMatch(s -> s.name().equals(name))) {
            throw ApiException.invalid(field, "'" + field + "' must name one of the request's tools; got " + (name == null ? "none" : "'" + name + "'") + ".");
        }
        return name;
    }
}
