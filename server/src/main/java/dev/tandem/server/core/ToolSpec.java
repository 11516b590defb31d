package dev.tandem.server.core;

import java.util.Objects;

/** A tool the model may call; {@code inputSchemaJson} is a JSON Schema object as text. */
public record ToolSpec(String name, String description, String inputSchemaJson) {
    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(inputSchemaJson, "inputSchemaJson");
    }
}
