package dev.tandem.server.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.RequestIds;
import dev.tandem.server.api.responses.ResponsesWire.CustomToolCallItem;
import dev.tandem.server.api.responses.ResponsesWire.CustomToolCallOutputItem;
import dev.tandem.server.api.responses.ResponsesWire.FunctionCallItem;
import dev.tandem.server.api.responses.ResponsesWire.FunctionCallOutputItem;
import dev.tandem.server.api.responses.ResponsesWire.InputImage;
import dev.tandem.server.api.responses.ResponsesWire.InputText;
import dev.tandem.server.api.responses.ResponsesWire.Item;
import dev.tandem.server.api.responses.ResponsesWire.MessageItem;
import dev.tandem.server.api.responses.ResponsesWire.OutputText;
import dev.tandem.server.api.responses.ResponsesWire.Part;
import dev.tandem.server.api.responses.ResponsesWire.Refusal;
import dev.tandem.server.core.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Items read from JSON, the client's {@code input} or a stored item, into one normal form: every item
 * with an id (the client's, or a new one), messages with typed parts, tool outputs as text. What the
 * form cannot hold is refused, naming the field. {@code reasoning} items are dropped: a model without
 * reasoning has none of its own, and another model's are encrypted for that model.
 */
final class ResponseItems {
    private ResponseItems() {}

    /**
     * The items of {@code input}: a string (one user message) or an array of items.
     *
     * @param references finds the item an {@code item_reference} names, among the caller's stored ones
     */
    static List<Item> parse(JsonNode input, Function<String, Optional<Item>> references) {
        if (input == null || input.isNull()) {
            throw ApiException.invalid("input", "'input' is required.");
        }
        if (input.isTextual()) {
            return List.of(new MessageItem(newId("msg_"), "completed", "user", List.of(new InputText(input.asText()))));
        }
        if (!input.isArray()) {
            throw ApiException.invalid("input", "'input' must be a string or an array of items.");
        }
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            String field = "input[" + i + "]";
            JsonNode node = input.get(i);
            if (!node.isObject()) {
                throw ApiException.invalid(field, "'" + field + "' must be an object.");
            }
            if ("item_reference".equals(node.path("type").asText()) || (!node.has("type") && !node.has("role") && node.has("id"))) {
                String id = text(node, "id", field);
                out.add(references.apply(id).orElseThrow(() -> ApiException.invalid(field + ".id",
                        "Item with id '" + id + "' not found.")));
                continue;
            }
            item(node, field).ifPresent(out::add);
        }
        return out;
    }

    /** A stored item (written by this class's form), read back. */
    static Item stored(String json) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored item is not JSON", e);
        }
        return item(node, "item").orElseThrow(() -> new IllegalStateException("a stored item of an unknown type"));
    }

    /** One item, or empty for a dropped one (reasoning). */
    private static Optional<Item> item(JsonNode node, String field) {
        String type = node.path("type").asText(node.has("role") ? "message" : "");
        String id = node.path("id").isTextual() ? node.get("id").asText() : null;
        return switch (type) {
            case "message" -> Optional.of(message(node, id, field));
            case "function_call" -> Optional.of(new FunctionCallItem(orNew(id, "fc_"), "completed", text(node, "call_id", field),
                    text(node, "name", field), text(node, "arguments", field)));
            case "function_call_output" -> Optional.of(new FunctionCallOutputItem(orNew(id, "fco_"), text(node, "call_id", field),
                    output(node.get("output"), field + ".output")));
            case "custom_tool_call" -> Optional.of(new CustomToolCallItem(orNew(id, "ctc_"), "completed", text(node, "call_id", field),
                    text(node, "name", field), text(node, "input", field)));
            case "custom_tool_call_output" -> Optional.of(new CustomToolCallOutputItem(orNew(id, "ctco_"), text(node, "call_id", field),
                    output(node.get("output"), field + ".output")));
            case "reasoning" -> Optional.empty();
            default -> throw ApiException.invalid(field + ".type", "'" + field + ".type' must be one of message, function_call,"
                    + " function_call_output, custom_tool_call, custom_tool_call_output, reasoning, item_reference; got '" + type
                    + "' (Tandem runs no hosted tools).");
        };
    }

    private static MessageItem message(JsonNode node, String id, String field) {
        String role = text(node, "role", field);
        boolean assistant = role.equals("assistant");
        if (!assistant && !List.of("user", "system", "developer").contains(role)) {
            throw ApiException.invalid(field + ".role", "'" + field + ".role' must be one of user, assistant, system, developer; got '"
                    + role + "'.");
        }
        JsonNode content = node.get("content");
        List<Part> parts = new ArrayList<>();
        if (content != null && content.isTextual()) {
            parts.add(assistant ? new OutputText(content.asText()) : new InputText(content.asText()));
        } else if (content != null && content.isArray()) {
            for (int j = 0; j < content.size(); j++) {
                parts.add(part(content.get(j), field + ".content[" + j + "]", assistant));
            }
        } else {
            throw ApiException.invalid(field + ".content", "'" + field + ".content' must be a string or an array of content parts.");
        }
        String status = node.path("status").isTextual() ? node.get("status").asText() : "completed";
        return new MessageItem(orNew(id, "msg_"), status, role, parts);
    }

    private static Part part(JsonNode part, String field, boolean assistant) {
        String type = part.path("type").asText("");
        return switch (type) {
            case "input_text" -> assistant ? new OutputText(text(part, "text", field)) : new InputText(text(part, "text", field));
            case "output_text" -> assistant ? new OutputText(text(part, "text", field)) : new InputText(text(part, "text", field));
            case "refusal" -> new Refusal(text(part, "refusal", field));
            case "input_image" -> {
                if (!part.path("image_url").isTextual()) {
                    throw ApiException.invalid(field + ".image_url", "'" + field + ".image_url' must be a URL or a data URL"
                            + " (images by file_id are not served: there is no Files API here).");
                }
                yield new InputImage(part.get("image_url").asText(), part.path("detail").asText(null));
            }
            default -> throw ApiException.invalid(field + ".type", "'" + field + ".type' must be one of input_text, output_text,"
                    + " refusal, input_image; got '" + type + "'" + (type.equals("input_file") ? " (there is no Files API here)" : "")
                    + ".");
        };
    }

    /** A tool's output: a string, or an array of input_text parts (joined). */
    private static String output(JsonNode output, String field) {
        if (output != null && output.isTextual()) {
            return output.asText();
        }
        if (output == null || !output.isArray()) {
            throw ApiException.invalid(field, "'" + field + "' must be a string or an array of input_text parts.");
        }
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < output.size(); j++) {
            JsonNode part = output.get(j);
            if (!"input_text".equals(part.path("type").asText())) {
                throw ApiException.invalid(field + "[" + j + "].type", "'" + field + "[" + j + "].type' must be 'input_text':"
                        + " tool outputs are served as text.");
            }
            sb.append(text(part, "text", field + "[" + j + "]"));
        }
        return sb.toString();
    }

    private static String text(JsonNode node, String name, String field) {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual()) {
            throw ApiException.invalid(field + "." + name, "'" + field + "." + name + "' must be a string.");
        }
        return value.asText();
    }

    private static String orNew(String id, String prefix) {
        return id != null ? id : newId(prefix);
    }

    static String newId(String prefix) {
        return RequestIds.generate(prefix);
    }
}
