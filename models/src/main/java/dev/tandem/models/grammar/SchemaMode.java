package dev.tandem.models.grammar;

/** What the compiler does with a JSON schema keyword it cannot enforce. */
public enum SchemaMode {
    /** Refuse the schema with an {@link UnsupportedSchemaException} naming the keyword (structured output, {@code strict}). */
    STRICT,
    /**
     * Enforce what is supported and leave the rest out, listed in {@link
     * GrammarConstraint#ignoredKeywords()} (tool parameters written for other servers: the output is
     * still JSON of the right shape, but may break, say, a {@code minimum}).
     */
    BEST_EFFORT
}
