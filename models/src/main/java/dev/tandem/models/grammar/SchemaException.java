package dev.tandem.models.grammar;

import dev.tandem.models.EngineException;

/** A JSON schema that cannot become a constraint; {@link #path()} points at the part at fault. Not retriable. */
public abstract sealed class SchemaException extends EngineException permits UnsupportedSchemaException, InvalidSchemaException {
    private final String path;

    SchemaException(String path, String message) {
        super(message);
        this.path = path;
    }

    /** A JSON pointer into the schema ("" for its root). */
    public String path() {
        return path;
    }
}
