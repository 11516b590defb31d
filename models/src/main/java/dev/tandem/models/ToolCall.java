package dev.tandem.models;

import java.util.Objects;

/**
 * A call the assistant made (or makes): its id, the tool's name and the arguments as JSON text.
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null || arguments.isBlank() ? "{}" : arguments;
    }
}
