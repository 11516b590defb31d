package dev.tandem.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A tool the model may call: a function name, what it does, and the JSON schema of its arguments.
 *
 * @param description may be empty
 * @param parameters a JSON schema object; no parameters (null) is an object with none, {@code {}}
 */
public record ToolDefinition(String name, String description, JsonNode parameters) {
    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a tool needs a name");
        }
        description = description == null ? "" : description;
        parameters = parameters == null || parameters.isNull() ? noParameters() : parameters.deepCopy();
        if (!parameters.isObject()) {
            throw new IllegalArgumentException("the parameters of tool '" + name + "' must be a JSON schema object");
        }
    }

    @Override
    public JsonNode parameters() {
        return parameters.deepCopy();
    }

    private static ObjectNode noParameters() {
        ObjectNode schema = JsonNodeFactory.instance.objectNode();
        schema.put("type", "object");
        schema.putObject("properties");
        schema.put("additionalProperties", false);
        return schema;
    }
}
