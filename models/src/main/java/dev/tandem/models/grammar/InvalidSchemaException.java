package dev.tandem.models.grammar;

/** The schema is malformed or allows no value at all. */
public final class InvalidSchemaException extends SchemaException {
    InvalidSchemaException(String path, String message) {
        super(path, "invalid JSON schema at " + (path.isEmpty() ? "the root" : path) + ": " + message);
    }
}
