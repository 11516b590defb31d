package dev.tandem.models.grammar;

/** The schema is malformed or allows no value at all. */
public final class InvalidSchemaException extends SchemaException {
    private final String problem;

    InvalidSchemaException(String path, String problem) {
        super(path, "invalid JSON schema at " + (path.isEmpty() ? "the root" : path) + ": " + problem);
        this.problem = problem;
    }

    /** The same problem for a schema found at {@code prefix} within a larger document. */
    InvalidSchemaException within(String prefix) {
        return new InvalidSchemaException(prefix + path(), problem);
    }
}
