package dev.tandem.models.grammar;

/** The schema uses a keyword (or a value of one) that constrained decoding does not enforce. */
public final class UnsupportedSchemaException extends SchemaException {
    private final String keyword;
    private final String detail;

    UnsupportedSchemaException(String keyword, String path, String detail) {
        super(path, "JSON schema keyword '" + keyword + "' at " + (path.isEmpty() ? "the root" : path)
                + " is not supported for constrained decoding" + (detail == null ? "" : ": " + detail));
        this.keyword = keyword;
        this.detail = detail;
    }

    /** The same refusal for a schema found at {@code prefix} within a larger document. */
    UnsupportedSchemaException within(String prefix) {
        return new UnsupportedSchemaException(keyword, prefix + path(), detail);
    }

    /** The keyword, as written in the schema ("pattern", "minimum", "$ref"). */
    public String keyword() {
        return keyword;
    }
}
