package dev.tandem.server.ops.keys;

import java.util.List;
import java.util.Objects;

/** What an operator asks for when creating a key; limits null = unlimited. */
public record KeySpec(
        String name,
        String policy,
        List<String> allowedModels,
        Integer rpm,
        Integer tpm,
        Integer maxConcurrent,
        Double budgetUsd) {

    public KeySpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        allowedModels = allowedModels == null ? List.of() : List.copyOf(allowedModels);
    }

    public static KeySpec named(String name) {
        return new KeySpec(name, null, List.of(), null, null, null, null);
    }
}
