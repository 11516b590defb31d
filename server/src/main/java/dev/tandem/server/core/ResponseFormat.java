package dev.tandem.server.core;

import java.util.Objects;

/**
 * What shape the answer's text must have: free text, any JSON object, or JSON valid for a schema.
 * OpenAI's {@code response_format} and Anthropic's {@code output_config.format} map onto it at the
 * edge; the local backend enforces it by constrained decoding, the remote ones send it in their
 * upstream's words.
 */
public sealed interface ResponseFormat {

    /** Free text: no constraint (the default). */
    ResponseFormat TEXT = new Text();

    /** Whether the answer must be JSON. */
    default boolean json() {
        return !(this instanceof Text);
    }

    record Text() implements ResponseFormat {}

    /** Any JSON object (OpenAI's {@code json_object}). */
    record JsonObject() implements ResponseFormat {}

    /**
     * JSON valid for {@code schemaJson} (a JSON Schema object as text).
     *
     * @param name the schema's name (OpenAI requires one; Anthropic has none), never null
     * @param description what the answer is for, or null
     * @param strict true: every keyword must be enforced (a keyword that cannot be is refused); false: best effort
     */
    record JsonSchema(String name, String description, String schemaJson, boolean strict) implements ResponseFormat {
        /** The name OpenAI's SDKs give a schema that has none (as Anthropic's never do). */
        public static final String DEFAULT_NAME = "response";

        public JsonSchema {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(schemaJson, "schemaJson");
        }
    }
}
