package dev.tandem.server.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Request fields of the caller's dialect that Tandem does not interpret but an upstream speaking the
 * same dialect does (Anthropic's {@code thinking}, {@code context_management}, {@code output_config}'s
 * effort, {@code cache_control}; OpenAI's {@code store}, {@code metadata}, {@code service_tier}, ...),
 * and Anthropic's {@code anthropic-beta} flags. Such an upstream gets them unchanged; the local model
 * and an upstream of the other dialect ignore them, except the {@code essential} ones, which change
 * the answer so much that only the dialect's own upstream may serve the request (refused by name
 * elsewhere).
 *
 * @param dialect whose upstream understands these fields
 * @param fields the fields by name, their values as JSON text, in the order the caller sent them
 * @param essential the names (among {@code fields}) no other backend may ignore
 * @param betas Anthropic's beta flags (the {@code anthropic-beta} header, split at commas)
 */
public record Passthrough(Dialect dialect, Map<String, String> fields, Set<String> essential, List<String> betas) {
    /** Nothing to pass. */
    public static final Passthrough NONE = new Passthrough(Dialect.OPENAI, Map.of(), Set.of(), List.of());

    public Passthrough {
        Objects.requireNonNull(dialect, "dialect");
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
        essential = Set.copyOf(essential);
        betas = List.copyOf(betas);
        if (!fields.keySet().containsAll(essential)) {
            throw new IllegalArgumentException("essential fields must be among the fields");
        }
    }

    public boolean isEmpty() {
        return fields.isEmpty() && betas.isEmpty();
    }

    /** The fields an upstream speaking {@code upstream} gets: all of them when it is the caller's dialect, else none. */
    public Map<String, String> fieldsFor(Dialect upstream) {
        return upstream == dialect ? fields : Map.of();
    }

    /** The beta flags an upstream speaking {@code upstream} gets. */
    public List<String> betasFor(Dialect upstream) {
        return upstream == dialect ? betas : List.of();
    }

    /**
     * Why a backend that speaks {@code backendDialect} (null: the local model) cannot serve a request with
     * these fields: the first essential field it would have to ignore; null when it can.
     */
    public String essentialFieldFor(Dialect backendDialect) {
        if (backendDialect == dialect || essential.isEmpty()) {
            return null;
        }
        return fields.keySet().stream().filter(essential::contains).findFirst().orElse(null);
    }
}
