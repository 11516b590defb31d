package dev.tandem.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.Passthrough;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an endpoint does with the known request fields its wire record does not read: the one table per
 * endpoint that says, for each, whether it is passed through to the dialect's own upstream (and ignored
 * elsewhere, having no meaning there), passed through and refused elsewhere (it changes the answer, so
 * only that upstream may serve the request), or refused outright (with the reason, and what to send
 * instead). Nothing known is ignored silently; a field that no table knows is ignored, as the APIs
 * themselves add fields faster than servers learn them. A field sent as JSON null counts as absent.
 */
public final class FieldRules {

    /** What becomes of one field. */
    public enum Treatment {
        /** No meaning to Tandem or the local model; the dialect's upstream gets it unchanged. */
        PASS,
        /** The dialect's upstream gets it unchanged; every other backend refuses the request by the field's name. */
        ESSENTIAL,
        /** Refused with a 400 naming it. */
        REFUSED
    }

    /** A field's treatment; {@code why} says, for a refusal, why and what to send instead. */
    public record Rule(Treatment treatment, String why) {}

    private final Dialect dialect;
    private final Map<String, Rule> rules;

    private FieldRules(Dialect dialect, Map<String, Rule> rules) {
        this.dialect = dialect;
        this.rules = Map.copyOf(rules);
    }

    public static Builder builder(Dialect dialect) {
        return new Builder(dialect);
    }

    /**
     * The fields of {@code others} (those the wire record did not read, by name) checked against the
     * table: the passthrough for the dialect's upstream, with {@code betas}; a 400 naming the first
     * refused field.
     */
    public Passthrough apply(Map<String, JsonNode> others, List<String> betas) {
        Map<String, String> passed = new LinkedHashMap<>();
        Set<String> essential = new LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> field : others.entrySet()) {
            Rule rule = rules.get(field.getKey());
            if (rule == null || field.getValue() == null || field.getValue().isNull()) {
                continue;
            }
            switch (rule.treatment()) {
                case REFUSED -> throw ApiException.invalid(field.getKey(), "'" + field.getKey() + "' is not supported: " + rule.why());
                case ESSENTIAL -> essential.add(field.getKey());
                case PASS -> { }
            }
            passed.put(field.getKey(), Json.write(field.getValue()));
        }
        return passed.isEmpty() && betas.isEmpty() ? Passthrough.NONE : new Passthrough(dialect, passed, essential, betas);
    }

    /** The rule of {@code field}, or null when the table does not know it. */
    public Rule rule(String field) {
        return rules.get(field);
    }

    public static final class Builder {
        private final Dialect dialect;
        private final Map<String, Rule> rules = new LinkedHashMap<>();

        private Builder(Dialect dialect) {
            this.dialect = dialect;
        }

        /** Fields with no meaning to Tandem, passed to the dialect's upstream. */
        public Builder pass(String... fields) {
            for (String f : fields) {
                rules.put(f, new Rule(Treatment.PASS, null));
            }
            return this;
        }

        /** Fields only the dialect's upstream honours. */
        public Builder essential(String... fields) {
            for (String f : fields) {
                rules.put(f, new Rule(Treatment.ESSENTIAL, null));
            }
            return this;
        }

        /** Fields refused, saying why (and what to send instead). */
        public Builder refuse(String why, String... fields) {
            for (String f : fields) {
                rules.put(f, new Rule(Treatment.REFUSED, why));
            }
            return this;
        }

        public FieldRules build() {
            return new FieldRules(dialect, rules);
        }
    }
}
