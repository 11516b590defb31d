package dev.tandem.server.core;

import java.util.List;
import java.util.Objects;

/**
 * Who is calling, as authentication established it: the API key's id, its routing policy (null: the
 * server's) and its limits. Travels as a field of every internal request; nothing past the edge ever
 * sees a credential, and no client header can set it.
 */
public record Caller(String keyId, Policy policy, Limits limits) {
    /** Everyone, when authentication is off; no policy of its own, no limits. */
    public static final Caller ANONYMOUS = new Caller("anonymous", null, Limits.NONE);

    public Caller {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(limits, "limits");
    }

    public boolean anonymous() {
        return equals(ANONYMOUS);
    }

    /** This caller held to {@code v} (the gate narrows a key whose remote budget is spent). */
    public Caller narrowedTo(Policy v) {
        return new Caller(keyId, v, limits);
    }

    /**
     * What a key may do; null means unlimited.
     *
     * @param allowedModels model names the key may ask for; empty: any
     * @param rpm requests per minute
     * @param tpm tokens (prompt + completion) per minute
     * @param maxConcurrent requests in flight at once
     * @param budgetUsd total remote spend allowed
     */
    public record Limits(List<String> allowedModels, Integer rpm, Integer tpm, Integer maxConcurrent, Double budgetUsd) {
        public static final Limits NONE = new Limits(List.of(), null, null, null, null);

        public Limits {
            allowedModels = allowedModels == null ? List.of() : modelNames(allowedModels);
            positive("rpm", rpm);
            positive("tpm", tpm);
            positive("maxConcurrent", maxConcurrent);
            if (budgetUsd != null && !(budgetUsd >= 0)) {
                throw new IllegalArgumentException("budgetUsd must be >= 0");
            }
        }

        public boolean allows(String model) {
            return allowedModels.isEmpty() || allowedModels.contains(model);
        }

        /** Names only: a null or blank entry is a mistake to refuse, not a name no request can match. */
        private static List<String> modelNames(List<String> names) {
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i) == null || names.get(i).isBlank()) {
                    throw new IllegalArgumentException("allowedModels[" + i + "] must be a model name, got "
                            + (names.get(i) == null ? "null" : "an empty string"));
                }
            }
            return List.copyOf(names);
        }

        private static void positive(String name, Integer v) {
            if (v != null && v < 1) {
                throw new IllegalArgumentException(name + " must be >= 1");
            }
        }
    }
}
