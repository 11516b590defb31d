package dev.tandem.server.ops.keys;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An API key as stored: everything but the secret, which exists only as a hash.
 *
 * @param policy routing policy: local-only, prefer-local, remote-only; null = the server's default
 * @param allowedModels model names the key may ask for; empty = any
 * @param rpm requests per minute, null = unlimited
 * @param tpm tokens (prompt + completion) per minute, null = unlimited
 * @param maxConcurrent requests in flight at once, null = unlimited
 * @param budgetUsd total remote spend allowed, null = unlimited
 * @param revoked when it was revoked, or null
 */
public record ApiKey(
        String id,
        String name,
        String policy,
        List<String> allowedModels,
        Integer rpm,
        Integer tpm,
        Integer maxConcurrent,
        Double budgetUsd,
        Instant created,
        Instant revoked) {

    public static final Set<String> POLICIES = Set.of("local-only", "prefer-local", "remote-only");

    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(created, "created");
        allowedModels = allowedModels == null ? List.of() : List.copyOf(allowedModels);
        if (policy != null && !POLICIES.contains(policy)) {
            throw new IllegalArgumentException("policy must be one of " + POLICIES + ", was " + policy);
        }
        positive("rpm", rpm);
        positive("tpm", tpm);
        positive("maxConcurrent", maxConcurrent);
        if (budgetUsd != null && budgetUsd < 0) {
            throw new IllegalArgumentException("budgetUsd must be >= 0");
        }
    }

    private static void positive(String name, Integer v) {
        if (v != null && v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1");
        }
    }

    public boolean isRevoked() {
        return revoked != null;
    }

    public boolean allows(String model) {
        return allowedModels.isEmpty() || allowedModels.contains(model);
    }
}
