package dev.tandem.server.core;

import java.util.Objects;

/**
 * A tool the model may call; {@code inputSchemaJson} is a JSON Schema object as text.
 *
 * @param description what the tool does, or null
 * @param strict the caller asked for arguments that follow the schema exactly (OpenAI's and Anthropic's
 *     {@code strict}): a keyword that cannot be enforced is refused rather than left out
 * @param cache the caching breakpoint the caller set on the tool, or null
 */
public record ToolSpec(String name, String description, String inputSchemaJson, boolean strict, CacheBreakpoint cache) {
    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(inputSchemaJson, "inputSchemaJson");
    }

    /** A tool whose schema is followed as far as it can be. */
    public ToolSpec(String name, String description, String inputSchemaJson) {
        this(name, description, inputSchemaJson, false, null);
    }

    public ToolSpec(String name, String description, String inputSchemaJson, boolean strict) {
        this(name, description, inputSchemaJson, strict, null);
    }
}
